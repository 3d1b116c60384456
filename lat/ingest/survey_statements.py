"""Survey answers as xAPI statements of the LAT profile's ``selfie-answer`` (or
``selfie-answer-unscored``) template, made by a pseudonymous respondent account."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

from lat.ingest.survey_file import Answer
from lat.xapi import vocab
from lat.xapi.fields import actor_key

# Namespace of survey answer ids: uuid5(NAMESPACE_URL, profile + "/selfie/answers").
ANSWER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{vocab.PROFILE}/selfie/answers")

SCALE_LABELS = {
    "1": "strongly disagree",
    "2": "disagree",
    "3": "slightly agree",
    "4": "agree",
    "5": "strongly agree",
}
# One shared scale for every statement (read-only once built; rebuilding it per answer was
# the costliest step of a large import).
_SCALE = [{"id": code, "description": {"en": label}} for code, label in SCALE_LABELS.items()]

# --- statements ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # one import has one time, or one per row
def xapi_time(moment: datetime) -> str:
    """UTC with milliseconds and a Z, the form LRSs echo back."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def respondent_agent(pseudonym: str) -> dict[str, Any]:
    """The xAPI Agent of a respondent, by pseudonym."""
    return {"objectType": "Agent", "account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": pseudonym}}


def answer_id(pseudonym: str, round_label: str, answer: Answer) -> str:
    """Deterministic: the same answer at the same time is the same statement."""
    name = "|".join([pseudonym, round_label, answer.item, answer.group, answer.response, xapi_time(answer.timestamp)])
    return str(uuid.uuid5(ANSWER_NAMESPACE, name))


def answer_statement(answer: Answer, pseudonym: str, round_label: str, hub: str | None = None) -> dict[str, Any]:
    """The xAPI statement of one answer (LAT profile, selfie-answer templates)."""
    extensions: dict[str, str] = {
        vocab.EXT_SCHOOL: answer.school,
        vocab.EXT_ROUND: round_label,
        vocab.EXT_AREA: answer.area,
        vocab.EXT_ITEM: answer.item,
        vocab.EXT_GROUP: answer.group,
    }
    if hub:
        extensions[vocab.EXT_HUB] = hub
    result: dict[str, Any] = {"response": answer.response}
    if answer.score is not None:
        result["score"] = {"raw": answer.score, "min": 1, "max": 5}
    return {
        "id": answer_id(pseudonym, round_label, answer),
        "actor": respondent_agent(pseudonym),
        "verb": {"id": vocab.ANSWERED, "display": {"en": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": vocab.SELFIE_ITEM_BASE + answer.item,
            "definition": {
                "type": vocab.CMI_INTERACTION,
                "name": {"en": f"SELFIE item {answer.item} ({vocab.AREAS[answer.area]})"},
                "interactionType": "likert",
                "scale": _SCALE,
            },
        },
        "result": result,
        "context": {
            "contextActivities": {
                "parent": [
                    {
                        "objectType": "Activity",
                        "id": vocab.SELFIE_ROUND_BASE + round_label,
                        "definition": {"type": vocab.SURVEY},
                    }
                ],
                "category": [{"objectType": "Activity", "id": vocab.PROFILE_VERSION}],
            },
            "extensions": extensions,
        },
        "timestamp": xapi_time(answer.timestamp),
        "version": "1.0.3",
    }


def respondent_key(pseudonym: str) -> str:
    """The store's actor_key of a pseudonymous respondent."""
    key = actor_key(respondent_agent(pseudonym))
    assert key is not None
    return key
