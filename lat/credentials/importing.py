"""``lat credentials import``: a teacher's micro-credentials from other providers count too.

A credential (VC-JWT) is verified first (:mod:`.verify`); only a valid one is recorded, in
``credentials_imported``, and as an xAPI *earned* statement whose ``source`` names the issuer,
for the learner given (a registry person id or an actor key). When the credential names its
learner (a ``mailto:`` id or a hashed email identity) it must be that learner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lat.config import Settings
from lat.credentials import earned, signing
from lat.credentials.verify import Verdict, issuer_id, verify
from lat.errors import LatError
from lat.ingest.engine import Record, ingest_records
from lat.store import database as store


@dataclass(frozen=True)
class Imported:
    """An imported credential: its id, issuer, achievement name, learner, whether it was new, and the verdict."""

    credential_id: str
    issuer: str
    achievement: str
    learner: str
    new: bool
    verdict: Verdict


def import_credential(
    settings: Settings, value: str, *, learner: str, jwks: Path | None = None, status_list: Path | None = None, now: dt.datetime | None = None
) -> Imported:
    """Verify and record one credential; LatError (nothing recorded) when it does not verify."""
    verdict = verify(value, settings, jwks=jwks, status_list=status_list, now=now)
    if not verdict.ok:
        raise LatError("not imported: " + "; ".join(verdict.problems))
    credential = verdict.credential or {}
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    credential_id = str(credential.get("id") or f"urn:sha256:{hashlib.sha256(verdict.token.encode()).hexdigest()}")
    with store.session(settings) as con:
        actor_key, school = _learner(con, learner)
        _same_learner(subject, actor_key)
        known = con.execute("SELECT count(*) FROM credentials_imported WHERE credential_id = ?", [credential_id]).fetchall()[0][0]
        if not known:
            _record(con, credential, credential_id, actor_key, school, verdict)
    return Imported(credential_id, issuer_id(credential), str(achievement.get("name", "")), actor_key, not known, verdict)


def _record(con: duckdb.DuckDBPyConnection, credential: dict[str, Any], credential_id: str, actor_key: str, school: str | None, verdict: Verdict) -> None:
    achievement = credential["credentialSubject"].get("achievement") or {}
    named = credential.get("issuer")
    issuer = named if isinstance(named, dict) else {}
    when = signing.parse_datetime(credential["validFrom"])
    statement = earned.statement(
        credential_id=credential_id,
        subject_kind="person",
        subject=actor_key,
        achievement_url=str(achievement.get("id") or credential_id),
        achievement_name=str(achievement.get("name") or credential.get("name") or "micro-credential"),
        school=school,
        when=when,
    )
    ingest_records(con, [Record(f"credential import: {issuer_id(credential)}", None, statement)])
    con.execute(
        "INSERT INTO credentials_imported VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            credential_id,
            issuer_id(credential),
            issuer.get("name"),
            achievement.get("id"),
            achievement.get("name"),
            actor_key,
            when,
            verdict.key_source,
            statement["id"],
            verdict.token,
            dt.datetime.now(dt.UTC),
        ],
    )


def _learner(con: duckdb.DuckDBPyConnection, learner: str) -> tuple[str, str | None]:
    """(actor key, school) of a registry person id, or of an actor key (mailto:..., homePage|name)."""
    rows = con.execute("SELECT actor, school FROM people WHERE person_id = ? OR actor = ?", [learner, learner]).fetchall()
    if rows and rows[0][0]:
        return rows[0][0], rows[0][1]
    if learner.startswith("mailto:") or "|" in learner:
        return (learner.lower() if learner.startswith("mailto:") else learner), None
    raise LatError(f"learner {learner!r} is neither a person id of the registry nor an actor key (mailto:... or homePage|name)")


def _same_learner(subject: dict[str, Any], actor_key: str) -> None:
    """Refuse a credential that names another learner."""
    subject_id = str(subject.get("id") or "")
    if subject_id.startswith("mailto:") and subject_id.lower() != actor_key:
        raise LatError(f"not imported: the credential was issued to {subject_id}, not to {actor_key}")
    identities = subject.get("identifier") or []
    emails = [i for i in identities if isinstance(i, dict) and i.get("identityType") == "emailAddress"]
    if emails and actor_key.startswith("mailto:"):
        email = actor_key.removeprefix("mailto:")
        if not any(_matches(i, email) for i in emails):
            raise LatError(f"not imported: the credential's hashed email address is not {email}")


def _matches(identity: dict[str, Any], email: str) -> bool:
    value = str(identity.get("identityHash", ""))
    if not identity.get("hashed"):
        return value.lower() == email
    digest = value.removeprefix("sha256$")
    return hashlib.sha256((email + str(identity.get("salt", ""))).encode()).hexdigest() == digest
