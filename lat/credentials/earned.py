"""Credentials as xAPI: the *earned* statement (Open Badges xAPI vocabulary) for each award.

The statement goes through the real ingest path (``lat.ingest.engine.ingest_records``), so it is
validated, attributed to a school and counted by the pipelines like any other. Its id is a
uuid5 of the credential id: recording a credential twice stores it once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from lat.xapi import vocab
from lat.xapi.ids import NAMESPACE

SCHOOL_HOMEPAGE = "https://w3id.org/xapi/lat/schools"  # account homePage of a school acting as a Group


def statement_id(credential_id: str) -> str:
    """The id of the 'earned' statement that records ``credential_id`` (the same id each time)."""
    return str(uuid.uuid5(NAMESPACE, f"credential:{credential_id}"))


def actor(subject_kind: str, subject: str) -> dict[str, Any]:
    """The xAPI actor for an actor key (``mailto:``, ``sha1:``, ``homePage|name``, openid) or a school."""
    if subject_kind == "school":
        return {"objectType": "Group", "account": {"homePage": SCHOOL_HOMEPAGE, "name": subject}}
    if subject.startswith("mailto:"):
        return {"objectType": "Agent", "mbox": subject}
    if subject.startswith("sha1:"):
        return {"objectType": "Agent", "mbox_sha1sum": subject.removeprefix("sha1:")}
    if "|" in subject:
        home, name = subject.split("|", 1)
        return {"objectType": "Agent", "account": {"homePage": home, "name": name}}
    return {"objectType": "Agent", "openid": subject}


def statement(
    *, credential_id: str, subject_kind: str, subject: str, achievement_url: str, achievement_name: str, school: str | None, when: dt.datetime
) -> dict[str, Any]:
    """The earned statement for one credential."""
    context: dict[str, Any] = {
        "contextActivities": {"category": [{"objectType": "Activity", "id": vocab.PROFILE_VERSION, "definition": {"type": vocab.PROFILE_ACTIVITY_TYPE}}]}
    }
    if school:
        context["extensions"] = {vocab.EXT_SCHOOL: school}
    return {
        "id": statement_id(credential_id),
        "actor": actor(subject_kind, subject),
        "verb": {"id": vocab.EARNED, "display": {"en": "earned"}},
        "object": {"objectType": "Activity", "id": achievement_url, "definition": {"type": vocab.BADGE, "name": {"en": achievement_name}}},
        "context": context,
        "timestamp": when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
