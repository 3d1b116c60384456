"""Building an OpenBadgeCredential (Open Badges 3.0 on the W3C VC Data Model 2.0).

Where the EU Council Recommendation (2022) mandatory elements go (docs/credentials.md):

| element | in the credential |
| --- | --- |
| learner | ``credentialSubject.identifier`` (hashed, per OB 3.0) or ``credentialSubject.id`` |
| title | ``name`` and ``credentialSubject.achievement.name`` |
| issuer country | ``issuer.address.addressCountry`` / ``addressCountryCode`` |
| awarding body | ``issuer`` (a Profile) |
| date | ``validFrom`` (and the round as activityStartDate / activityEndDate) |
| learning outcomes, workload, assessment type, form of participation, quality assurance | ``achievement.euMicroCredential`` and the criteria narrative |
| level | ``achievement.alignment`` to the EQF level, and ``euMicroCredential.level`` |

The ``euMicroCredential`` terms are defined by the credential's inline context.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from lat.credentials.achievements import Achievement, Issuer, Round
from lat.credentials.criteria import Outcome

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
LAT_TERMS = "https://w3id.org/xapi/lat/credentials#"
# Defines the EU micro-credential terms LAT adds (VC 2.0 allows objects after the two URLs).
EU_CONTEXT: dict[str, Any] = {
    "euMicroCredential": f"{LAT_TERMS}euMicroCredential",
    "learningOutcomes": f"{LAT_TERMS}learningOutcomes",
    "workload": f"{LAT_TERMS}workload",
    "workloadHours": f"{LAT_TERMS}workloadHours",
    "level": f"{LAT_TERMS}level",
    "assessmentType": f"{LAT_TERMS}assessmentType",
    "participation": f"{LAT_TERMS}participation",
    "qualityAssurance": f"{LAT_TERMS}qualityAssurance",
}


@dataclass(frozen=True)
class Urls:
    """Where the hub publishes what verifiers dereference (from LAT_CREDENTIALS_BASE_URL)."""

    base: str

    @property
    def issuer(self) -> str:
        """The issuer profile's URL."""
        return f"{self.base}/issuer"

    @property
    def jwks(self) -> str:
        """The URL of the issuer's public keys (JWKS)."""
        return f"{self.base}/jwks.json"

    @property
    def status_list(self) -> str:
        """The URL of the revocation status list."""
        return f"{self.base}/status/revocation"

    def achievement(self, achievement_id: str) -> str:
        """The URL of one achievement."""
        return f"{self.base}/achievements/{achievement_id}"

    def school(self, school_id: str) -> str:
        """The URL of one school (a credential subject)."""
        return f"{self.base}/schools/{school_id}"


def issuer_profile(issuer: Issuer, urls: Urls, country_name: str | None = None) -> dict[str, Any]:
    """The awarding body as an OB 3.0 Profile, with its country for the EU element."""
    profile: dict[str, Any] = {
        "id": urls.issuer,
        "type": ["Profile"],
        "name": issuer.name,
        "address": {"type": ["Address"], "addressCountry": country_name or issuer.country, "addressCountryCode": issuer.country},
    }
    if issuer.url:
        profile["url"] = issuer.url
    return profile


def achievement_json(achievement: Achievement, profile: dict[str, Any], urls: Urls) -> dict[str, Any]:
    """The OB 3.0 Achievement, with the EU elements."""
    eu: dict[str, Any] = {
        "learningOutcomes": list(achievement.learning_outcomes),
        "workload": achievement.workload,
        "level": achievement.level,
        "assessmentType": achievement.assessment,
        "participation": achievement.participation,
        "qualityAssurance": achievement.quality_assurance,
    }
    if achievement.workload_hours is not None:
        eu["workloadHours"] = achievement.workload_hours
    data: dict[str, Any] = {
        "id": urls.achievement(achievement.id),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"id": urls.achievement(achievement.id) + "#criteria", "narrative": narrative(achievement)},
        "creator": profile,
        "euMicroCredential": eu,
    }
    if achievement.eqf_level is not None:
        data["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {achievement.eqf_level}",
                "targetUrl": f"http://data.europa.eu/snb/eqf/{achievement.eqf_level}",
                "targetFramework": "European Qualifications Framework",
                "targetType": "ext:EQFLevel",
            }
        ]
    if achievement.tags:
        data["tag"] = list(achievement.tags)
    return data


def narrative(achievement: Achievement) -> str:
    """Markdown shown by wallets: the criteria, then the EU elements a reader looks for."""
    outcomes = "\n".join(f"- {o}" for o in achievement.learning_outcomes)
    return (
        f"{achievement.criteria_narrative()}\n\n**Learning outcomes**\n\n{outcomes}\n\n"
        f"**Workload:** {achievement.workload}. **Level:** {achievement.level}. "
        f"**Assessment:** {achievement.assessment}. **Participation:** {achievement.participation}. "
        f"**Quality assurance:** {achievement.quality_assurance}"
    )


def subject_json(kind: str, subject: str, urls: Urls, round_: Round, *, salt: str | None = None) -> dict[str, Any]:
    """The AchievementSubject without its achievement: a hashed identity for people, an id for schools."""
    data: dict[str, Any] = {"type": ["AchievementSubject"]}
    if kind == "school":
        data["id"] = urls.school(subject)
    else:
        data["identifier"] = [identity_object(subject, salt or secrets.token_hex(8))]
    data["activityStartDate"] = f"{round_.start.isoformat()}T00:00:00Z"
    data["activityEndDate"] = f"{round_.end.isoformat()}T23:59:59Z"
    return data


def identity_object(actor_key: str, salt: str) -> dict[str, Any]:
    """OB 3.0 IdentityObject: ``sha256$`` + hex(sha256(value + salt)); emailAddress for mailto actors."""
    if actor_key.startswith("mailto:"):
        kind, value = "emailAddress", actor_key.removeprefix("mailto:")
    else:
        kind, value = "accountId", actor_key  # homePage|name of an xAPI account, or another actor key
    digest = hashlib.sha256((value + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": kind, "hashed": True, "salt": salt}


def evidence_json(outcome: Outcome) -> list[dict[str, Any]]:
    """OB 3.0 Evidence: one per statement counted (urn:uuid of the xAPI statement), one per indicator."""
    items: list[dict[str, Any]] = []
    for evidence in outcome.evidence:
        if evidence.statement_ids:
            items.extend(
                {"id": f"urn:uuid:{sid}", "type": ["Evidence"], "name": evidence.rule, "description": "An xAPI statement in the hub's learning record store."}
                for sid in evidence.statement_ids
            )
        else:
            items.append({"type": ["Evidence"], "name": evidence.rule, "narrative": f"Value: {evidence.value}."})
    return items


def status_entry(urls: Urls, index: int) -> dict[str, Any]:
    """A BitstringStatusListEntry pointing at the hub's revocation list."""
    return {
        "id": f"{urls.status_list}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": urls.status_list,
    }


def build(
    achievement: Achievement,
    outcome: Outcome,
    round_: Round,
    issuer: Issuer,
    urls: Urls,
    *,
    status_index: int,
    issued_at: dt.datetime,
    country_name: str | None = None,
    credential_id: str | None = None,
    salt: str | None = None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for one outcome."""
    profile = issuer_profile(issuer, urls, country_name)
    subject = subject_json(achievement.subject, outcome.subject, urls, round_, salt=salt)
    subject["achievement"] = achievement_json(achievement, profile, urls)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, EU_CONTEXT],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": profile,
        "validFrom": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": status_entry(urls, status_index),
    }
    if evidence := evidence_json(outcome):
        credential["evidence"] = evidence
    return credential
