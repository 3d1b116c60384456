"""The report's words in English and Polish."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Digital maturity self-assessment",
        "round": "Round {round}",
        "where": "Where {school} stands",
        "overall": "Across the eight areas the school scores {score} on the 1-5 scale (the mean of its area scores; each area score is the mean "
        "of the respondent groups' averages).",
        "overall_none": "No area has enough respondents for a score.",
        "strongest": "Strongest areas",
        "weakest": "Areas to work on",
        "respondents": "Respondents",
        "change": "Change since {previous}",
        "change_none": "No change since {previous} is large enough to rule out chance (95% confidence).",
        "change_first": "This is the school's first round: there is nothing to compare with yet.",
        "rose": "{group}, {area}: rose by {change} (a real change, 95% confidence).",
        "fell": "{group}, {area}: fell by {change} (a real change, 95% confidence).",
        "changes_small": "{count} other changes are within what chance alone could give.",
        "areas": "The areas by respondent group",
        "area_note": "Averages on the 1-5 scale (5: strongly agree), n respondents beside each bar. A group with fewer than the minimum of "
        "respondents is suppressed: its answers are not shown, to keep them anonymous.",
        "col.group": "Group",
        "col.n": "n",
        "col.school": "School",
        "col.hub": "Hub",
        "col.country": "Country",
        "suppressed": "suppressed",
        "not_shown": "—",
        "items": "Strongest and weakest statements",
        "kind.strongest": "strongest",
        "kind.weakest": "weakest",
        "mentoring": "Mentoring",
        "mentoring.line": "{meetings} meetings; goals: {goals_achieved} of {goals_set} achieved; action-plan steps: {steps_completed} of "
        "{steps_planned} done; {observations} lesson observations; phase: {phase}; status: {status}.",
        "suggestions": "Suggestions for the areas to work on",
        "group.leader": "School leaders",
        "group.teacher": "Teachers",
        "group.student": "Students",
        "footer": "LAT, {hub}, {country}. Figures as published on {date}.",
        "hub.title": "Hub report",
        "hub.intro": "{answered} of the hub's {schools} schools answered in {round}.",
        "hub.areas": "The schools' area scores",
        "hub.areas_note": "Each dot is one school's area score (the mean of its respondent groups' averages; suppressed cells left out). The "
        "table gives the hub's school-weighted mean per group, now and in {previous}, where enough schools have figures.",
        "hub.areas_note_first": "Each dot is one school's area score (the mean of its respondent groups' averages; suppressed cells left out). "
        "The table gives the hub's school-weighted mean per group, where enough schools have figures.",
        "median": "median {value}",
        "col.now": "Now",
        "col.before": "Before",
        "col.change": "Change",
        "hub.mentoring": "Mentoring of every pair",
        "hub.stalled": "Stalled schools",
        "hub.stalled_none": "No mentee school is stalled.",
        "col.mentee": "Mentee school",
        "col.mentors": "Mentors",
        "col.status": "Status",
        "col.phase": "Phase",
        "col.meetings": "Meetings",
        "status.on_track": "on track",
        "status.stalled": "stalled",
        "status.ended": "ended",
        "status.not_started": "not started",
    },
    "pl": {
        "title": "Samoocena dojrzałości cyfrowej",
        "round": "Edycja {round}",
        "where": "Gdzie jest {school}",
        "overall": "W ośmiu obszarach szkoła uzyskuje {score} w skali 1-5 (średnia wyników obszarów; wynik obszaru to średnia średnich grup respondentów).",
        "overall_none": "Żaden obszar nie ma dość respondentów, by podać wynik.",
        "strongest": "Najmocniejsze obszary",
        "weakest": "Obszary do pracy",
        "respondents": "Respondenci",
        "change": "Zmiana od {previous}",
        "change_none": "Żadna zmiana od {previous} nie jest na tyle duża, by wykluczyć przypadek (ufność 95%).",
        "change_first": "To pierwsza edycja szkoły: nie ma jeszcze z czym porównać.",
        "rose": "{group}, {area}: wzrost o {change} (rzeczywista zmiana, ufność 95%).",
        "fell": "{group}, {area}: spadek o {change} (rzeczywista zmiana, ufność 95%).",
        "changes_small": "Pozostałe zmiany ({count}) mieszczą się w granicach przypadku.",
        "areas": "Obszary według grup respondentów",
        "area_note": "Średnie w skali 1-5 (5: zdecydowanie się zgadzam), n respondentów przy każdym słupku. Grupa mniejsza niż minimum "
        "respondentów jest ukryta: jej odpowiedzi nie są pokazywane, by pozostały anonimowe.",
        "col.group": "Grupa",
        "col.n": "n",
        "col.school": "Szkoła",
        "col.hub": "Hub",
        "col.country": "Kraj",
        "suppressed": "ukryte",
        "not_shown": "—",
        "items": "Najmocniejsze i najsłabsze stwierdzenia",
        "kind.strongest": "najmocniejsze",
        "kind.weakest": "najsłabsze",
        "mentoring": "Mentoring",
        "mentoring.line": "Spotkania: {meetings}; cele: osiągnięto {goals_achieved} z {goals_set}; kroki planu działania: wykonano "
        "{steps_completed} z {steps_planned}; obserwacje lekcji: {observations}; faza: {phase}; status: {status}.",
        "suggestions": "Propozycje dla obszarów do pracy",
        "group.leader": "Dyrekcja",
        "group.teacher": "Nauczyciele",
        "group.student": "Uczniowie",
        "footer": "LAT, {hub}, {country}. Dane opublikowane {date}.",
        "hub.title": "Raport huba",
        "hub.intro": "W edycji {round} odpowiedziało {answered} z {schools} szkół huba.",
        "hub.areas": "Wyniki obszarów w szkołach",
        "hub.areas_note": "Każda kropka to wynik obszaru jednej szkoły (średnia średnich grup respondentów; komórki ukryte pominięte). Tabela "
        "podaje średnią huba (każda szkoła liczy się raz) dla każdej grupy, teraz i w {previous}, gdzie dość szkół ma wyniki.",
        "hub.areas_note_first": "Każda kropka to wynik obszaru jednej szkoły (średnia średnich grup respondentów; komórki ukryte pominięte). "
        "Tabela podaje średnią huba (każda szkoła liczy się raz) dla każdej grupy, gdzie dość szkół ma wyniki.",
        "median": "mediana {value}",
        "col.now": "Teraz",
        "col.before": "Wcześniej",
        "col.change": "Zmiana",
        "hub.mentoring": "Mentoring w każdej parze",
        "hub.stalled": "Szkoły w zastoju",
        "hub.stalled_none": "Żadna szkoła podopieczna nie jest w zastoju.",
        "col.mentee": "Szkoła podopieczna",
        "col.mentors": "Mentorzy",
        "col.status": "Status",
        "col.phase": "Faza",
        "col.meetings": "Spotkania",
        "status.on_track": "zgodnie z planem",
        "status.stalled": "zastój",
        "status.ended": "zakończony",
        "status.not_started": "nierozpoczęty",
    },
}
LANGUAGES = tuple(TEXTS)


def t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang``, filled with ``values``."""
    return TEXTS[lang][key].format(**values)


def number(value: float | None, lang: str) -> str:
    """A figure to two decimals, with the language's decimal sign."""
    if value is None:
        return TEXTS[lang]["not_shown"]
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "pl" else text
