"""SELFIE-style survey rounds and teachers' DigCompEdu self-assessments for one school.

An answer is the school's hidden maturity plus the area's and item's pull, the group's
offset (leaders rate higher), the respondent's own tendency and noise, rounded to 1-5. Between
the rounds mentee schools gain most; stalled mentee schools little.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from lat.sample.emit import Ids, epoch, iso
from lat.sample.items import AREA_BASE, COMPETENCES, GROUP_OFFSET, ITEMS
from lat.sample.world import School
from lat.xapi import vocab

ROUNDS: dict[str, tuple[date, date]] = {  # label -> first and last day a school may open it
    "2025-autumn": (date(2025, 9, 15), date(2025, 10, 10)),
    "2026-spring": (date(2026, 5, 4), date(2026, 5, 15)),
}
DIGCOMP_ROUND_BASE = f"{vocab.PROFILE}/digcompedu/rounds/"
NOT_APPLICABLE_P = 0.03
PREFER_NOT_P = 0.015


def round_gain(school: School, round_label: str) -> float:
    """How much the school's answers rise by this round (0 in the first round)."""
    if round_label == "2025-autumn":
        return 0.0
    if school.kind == "mentee":
        return 0.12 if school.stalled else 0.45
    return 0.05


_CATEGORY = f'"category":[{{"objectType":"Activity","id":"{vocab.PROFILE_VERSION}","definition":{{"type":"{vocab.PROFILE_ACTIVITY_TYPE}"}}}}]'
_ANSWER = (
    '{"id":"%s","actor":{"objectType":"Agent","account":{"homePage":"' + vocab.RESPONDENT_HOMEPAGE + '","name":"%s"}},'
    '"verb":{"id":"' + vocab.ANSWERED + '","display":{"en":"answered"}},'
    '"object":{"objectType":"Activity","id":"' + vocab.SELFIE_ITEM_BASE + '%s",'
    '"definition":{"type":"' + vocab.CMI_INTERACTION + '","interactionType":"likert"}},'
    '"result":%s,'
    '"context":{"contextActivities":{"parent":[{"objectType":"Activity","id":"' + vocab.SELFIE_ROUND_BASE + '%s",'
    '"definition":{"type":"' + vocab.SURVEY + '"}}],' + _CATEGORY + "},"
    '"extensions":{"' + vocab.EXT_SCHOOL + '":"%s","' + vocab.EXT_HUB + '":"%s","' + vocab.EXT_ROUND + '":"%s",'
    '"' + vocab.EXT_AREA + '":"%s","' + vocab.EXT_ITEM + '":"%s","' + vocab.EXT_GROUP + '":"%s"}},'
    '"timestamp":"%s"}'
)
_RESULTS = {str(n): f'{{"response":"{n}","score":{{"raw":{n},"min":1,"max":5}}}}' for n in range(1, 6)}
_RESULTS[vocab.NOT_APPLICABLE] = f'{{"response":"{vocab.NOT_APPLICABLE}"}}'
_RESULTS[vocab.PREFER_NOT_TO_SAY] = f'{{"response":"{vocab.PREFER_NOT_TO_SAY}"}}'

_SELF_ASSESSMENT = (
    '{"id":"%s","actor":{"objectType":"Agent","account":{"homePage":"' + vocab.RESPONDENT_HOMEPAGE + '","name":"%s"}},'
    '"verb":{"id":"' + vocab.ANSWERED + '","display":{"en":"answered"}},'
    '"object":{"objectType":"Activity","id":"' + vocab.COMPETENCE_BASE + '%s","definition":{"type":"' + vocab.COMPETENCE + '"}},'
    '"result":{"response":"%s","score":{"raw":%d,"min":1,"max":6},"extensions":{"' + vocab.EXT_DIGCOMP_LEVEL + '":"%s"}},'
    '"context":{"contextActivities":{"parent":[{"objectType":"Activity","id":"' + DIGCOMP_ROUND_BASE + '%s",'
    '"definition":{"type":"' + vocab.SURVEY + '"}}],' + _CATEGORY + "},"
    '"extensions":{"' + vocab.EXT_SCHOOL + '":"%s","' + vocab.EXT_HUB + '":"%s","' + vocab.EXT_ROUND + '":"%s",'
    '"' + vocab.EXT_DIGCOMP_AREA + '":"%s"}},'
    '"timestamp":"%s"}'
)


def survey_statements(school: School, ids: Ids, seed: int, student_respondents: tuple[int, int]) -> Iterator[str]:
    """Every SELFIE-style answer and DigCompEdu self-assessment of the school, in time order per round."""
    for label, window in ROUNDS.items():
        rng = random.Random(f"{seed}|survey|{school.school_id}|{label}")
        opened = window[0] + timedelta(days=rng.randint(0, (window[1] - window[0]).days))
        for group, count in _respondents(school, rng, student_respondents):
            for r in range(count):
                yield from _answers(school, ids, rng, label, opened, group, r)
        yield from _self_assessments(school, ids, rng, label, opened)


def _respondents(school: School, rng: random.Random, students: tuple[int, int]) -> list[tuple[str, int]]:
    leaders = sum(rng.random() < 0.85 for _ in school.role("leader"))
    teachers = max(1, round(school.teachers * rng.uniform(0.12, 0.35)))
    pupils = rng.randint(*students)
    if school.level == "primary":  # only the oldest primary pupils take part
        pupils //= 2
    return [("leader", leaders), ("teacher", teachers), ("student", pupils)]


def _answers(school: School, ids: Ids, rng: random.Random, label: str, opened: date, group: str, r: int) -> Iterator[str]:
    sid, hub = school.school_id, school.hub
    respondent = ids.pseudonym(f"{sid}|{label}|{group}|{r}")
    centre = 3.0 + school.maturity + GROUP_OFFSET[group] + rng.gauss(0.0, 0.35) + round_gain(school, label)
    ts = epoch(opened + timedelta(days=rng.randint(0, 13)), rng.randint(8 * 3600, 16 * 3600))
    for item in ITEMS:
        if group not in item.groups:
            continue
        ts += rng.randint(8, 40)
        draw = rng.random()
        if draw < NOT_APPLICABLE_P:
            answer = vocab.NOT_APPLICABLE
        elif draw < NOT_APPLICABLE_P + PREFER_NOT_P:
            answer = vocab.PREFER_NOT_TO_SAY
        else:
            mean = centre + AREA_BASE[item.area] + school.area_offset[item.area] + item.offset
            answer = str(min(5, max(1, round(rng.gauss(mean, 0.6)))))
        stmt_id = ids.statement(f"selfie|{sid}|{label}|{group}|{r}|{item.code}")
        yield _ANSWER % (stmt_id, respondent, item.code, _RESULTS[answer], label, sid, hub, label, item.area, item.code, group, iso(ts))


def _self_assessments(school: School, ids: Ids, rng: random.Random, label: str, opened: date) -> Iterator[str]:
    """Pilot teachers (about 60% each round) rate themselves on all 22 competences."""
    sid, hub = school.school_id, school.hub
    gain = round_gain(school, label) * 1.2
    for teacher in school.role("teacher"):
        own = random.Random(f"{ids.pseudonym(teacher.person_id)}").gauss(0.0, 0.6)  # stable across rounds
        if rng.random() >= 0.6:
            continue
        respondent = ids.pseudonym(f"digcompedu|{teacher.person_id}")  # same pseudonym in both rounds
        ts = epoch(opened + timedelta(days=rng.randint(0, 20)), rng.randint(8 * 3600, 18 * 3600))
        for code in COMPETENCES:
            ts += rng.randint(15, 60)
            raw = min(6, max(1, round(rng.gauss(2.7 + 0.8 * school.maturity + own + gain, 0.6))))
            level = vocab.DIGCOMP_LEVELS[raw - 1]
            stmt_id = ids.statement(f"digcompedu|{teacher.person_id}|{label}|{code}")
            yield _SELF_ASSESSMENT % (stmt_id, respondent, code, level, raw, level, label, sid, hub, label, code.split(".")[0], iso(ts))
