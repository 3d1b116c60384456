"""Why a mentee school is stalled, in words: the mart's own English sentences, or the stall
rules named with their figures in another language (reports and alerts say it alike)."""

from __future__ import annotations

from datetime import date

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "no_contact": "no mentoring contact for {days} days (last on {last})",
        "never_contacted": "no mentoring contact since the mentoring started",
        "behind_plan": "action-plan steps behind plan",
        "no_plan": "no action-plan step planned",
    },
    "pl": {
        "no_contact": "brak kontaktu mentorskiego od {days} dni (ostatni {last})",
        "never_contacted": "brak kontaktu mentorskiego od rozpoczęcia mentoringu",
        "behind_plan": "kroki planu działania opóźnione",
        "no_plan": "brak zaplanowanych kroków planu działania",
    },
}


def stall_words(codes: tuple[str, ...], reason: str, days: int | None, last: date | None, lang: str) -> str:
    """The stall reason in ``lang``: ``reason`` (the mart's English sentences) in English, else each known code's words."""
    if lang == "en" and reason:
        return reason
    words = WORDS.get(lang, WORDS["en"])
    parts = [words[c].format(days=days, last=last) for c in codes if c in words]
    return "; ".join(parts).capitalize() + "." if parts else reason
