"""The alerts' words, in English and Polish: subjects and bodies of e-mails."""

from __future__ import annotations

from lat.alerts.findings import Finding, Stalled
from lat.reports.stall import stall_words

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "stalled.subject": "LAT: {school} has stalled",
        "stalled.body": "The mentoring of {school} has stalled.",
        "digest.subject": "LAT: your mentee schools, week {week}",
        "digest.body": "Your mentee schools this week ({week}): {schools} in mentoring, {stalled} stalled, {meetings} meetings this month.",
        "digest.none_stalled": "No school is stalled.",
        "open": "Open the school's page: {link}",
        "open_all": "Open the mentoring page: {link}",
        "footer": "You receive these e-mails because your LAT account has an address and alerts on. To stop them, ask your LAT administrator "
        "('lat users alerts {user} off').",
    },
    "pl": {
        "stalled.subject": "LAT: mentoring w {school} utknął",
        "stalled.body": "Mentoring w {school} utknął.",
        "digest.subject": "LAT: Twoje szkoły podopieczne, tydzień {week}",
        "digest.body": "Twoje szkoły podopieczne w tym tygodniu ({week}): {schools} w mentoringu, {stalled} w zastoju, {meetings} spotkań w tym miesiącu.",
        "digest.none_stalled": "Żadna szkoła nie jest w zastoju.",
        "open": "Strona szkoły: {link}",
        "open_all": "Strona mentoringu: {link}",
        "footer": "Otrzymujesz te wiadomości, ponieważ Twoje konto LAT ma adres e-mail i włączone powiadomienia. Aby je wyłączyć, poproś "
        "administratora LAT ('lat users alerts {user} off').",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    return TEXTS.get(lang, TEXTS["en"])[key].format(**values)


def why(stalled: Stalled, lang: str) -> str:
    """Why the school is stalled, in ``lang``."""
    return stall_words(stalled.codes, stalled.reason, stalled.days_since_contact, stalled.last_contact, lang)


def compose(finding: Finding, lang: str, user: str, public_url: str) -> tuple[str, str]:
    """(subject, body) of one alert."""
    base = public_url.rstrip("/")
    if finding.kind == "stalled":
        school = finding.stalled[0]
        lines = [_t(lang, "stalled.body", school=school.school_name), why(school, lang), _t(lang, "open", link=f"{base}/school?school={school.school}")]
        subject = _t(lang, "stalled.subject", school=school.school_name)
    else:
        body = _t(lang, "digest.body", week=finding.week, schools=finding.schools, stalled=len(finding.stalled), meetings=finding.meetings_this_month)
        listed = [f"- {s.school_name}: {why(s, lang)}" for s in finding.stalled] or [_t(lang, "digest.none_stalled")]
        lines = [body, "", *listed, "", _t(lang, "open_all", link=f"{base}/mentor")]
        subject = _t(lang, "digest.subject", week=finding.week)
    return subject, "\n".join([*lines, "", "--", _t(lang, "footer", user=user)]) + "\n"
