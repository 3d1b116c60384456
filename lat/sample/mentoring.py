"""A school year of whole-school mentoring for one mentee school, and teachers' micro-credentials.

Meetings every two to three weeks from the agreed start; goals set in the goals phase and
(mostly) achieved by June; action-plan steps and lesson observations during implementation.
A stalled school's contact stops after a few months: few meetings, few steps, no goal achieved.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from lat import vocab
from lat.sample.world import Hub, Mentoring, School
from lat.sample.writer import Ids, agent, epoch, iso

# the phase a date falls in: the first phase whose end is after it
PHASE_ENDS: tuple[tuple[date, str], ...] = (
    (date(2025, 11, 1), "initiative"),
    (date(2025, 12, 1), "goals"),
    (date(2026, 2, 1), "action-plan"),
    (date(2026, 6, 1), "implementation"),
    (date(2099, 1, 1), "reflection"),
)
BADGES: dict[str, str] = {
    "digital-assessment": "Digital assessment",
    "online-safety": "Teaching online safety",
    "coding-basics": "Coding in the classroom",
    "vle-design": "Designing a course in the VLE",
    "digital-collaboration": "Student collaboration online",
    "media-literacy": "Media literacy",
}

_CATEGORY = ('"category":[{"objectType":"Activity","id":"%s","definition":{"type":"%s"}}]'
             % (vocab.PROFILE_VERSION, vocab.PROFILE_ACTIVITY_TYPE))
_STATEMENT = (
    '{"id":"%s","actor":%s,"verb":{"id":"%s","display":{"en":"%s"}},'
    '"object":{"objectType":"Activity","id":"%s","definition":{"type":"%s","name":{"en":"%s"}}},'
    '"context":{"registration":"%s",%s"contextActivities":{"parent":[{"objectType":"Activity","id":"%s",'
    '"definition":{"type":"' + vocab.INITIATIVE + '"}}],' + _CATEGORY + '},'
    '"extensions":{"' + vocab.EXT_SCHOOL + '":"%s","' + vocab.EXT_HUB + '":"%s","' + vocab.EXT_PHASE + '":"%s"}},'
    '"timestamp":"%s"}'
)
_BADGE = (
    '{"id":"%s","actor":%s,"verb":{"id":"' + vocab.EARNED + '","display":{"en":"earned"}},'
    '"object":{"objectType":"Activity","id":"%s","definition":{"type":"' + vocab.BADGE + '","name":{"en":"%s"}}},'
    '"context":{"contextActivities":{' + _CATEGORY + '}},"timestamp":"%s"}'
)
_VERBS = {
    vocab.ATTENDED: "attended", vocab.SET: "set", vocab.ACHIEVED: "achieved",
    vocab.COMPLETED: "completed", vocab.OBSERVED: "observed",
}


def phase(day: date) -> str:
    return next(name for end, name in PHASE_ENDS if day < end)


class _Log:
    """Builds the statements of one mentoring relationship; sorted by time at the end."""

    def __init__(self, pair: Mentoring, hub: Hub, ids: Ids) -> None:
        self.pair, self.hub, self.ids = pair, hub, ids
        self.registration = ids.statement(f"mentoring|{pair.mentee_school}|registration")
        self.base = f"https://mentoring.{hub.hub_id}.example.org/{pair.mentee_school}"
        self.rows: list[tuple[int, str]] = []

    def add(self, key: str, ts: int, actor: str, verb: str, kind: str, n: int, name: str, instructor: str = "") -> None:
        day = date.fromordinal(date(1970, 1, 1).toordinal() + ts // 86400)
        context_extra = f'"instructor":{agent(instructor)},' if instructor else ""
        object_id = f"{self.base}/{kind}/{n}"
        stmt_id = self.ids.statement(f"mentoring|{self.pair.mentee_school}|{key}")
        self.rows.append((ts, _STATEMENT % (
            stmt_id, agent(actor), verb, _VERBS[verb], object_id, _TYPES[kind], name, self.registration,
            context_extra, f"{self.base}/initiative", self.pair.mentee_school, self.hub.hub_id, phase(day), iso(ts))))


_TYPES = {"meetings": vocab.MEETING, "goals": vocab.GOAL, "steps": vocab.OBJECTIVE, "observations": vocab.LESSON}


def mentoring_statements(pair: Mentoring, hub: Hub, mentee: School, mentors: list[str], ids: Ids, seed: int) -> Iterator[str]:
    """All statements of one mentoring relationship, in time order (kick-off meeting first)."""
    rng = random.Random(f"{seed}|mentoring|{pair.mentee_school}")
    log = _Log(pair, hub, ids)
    leader = mentee.role("leader")[0].actor
    teachers = [p.actor for p in mentee.role("teacher")]
    last = min(pair.contact_until, pair.end)
    _meetings(log, rng, pair.start, last, mentors, leader, teachers)
    _goals(log, rng, pair, last, leader, mentee.stalled)
    _steps(log, rng, pair, last, [leader, *teachers], mentee.stalled)
    _observations(log, rng, last, mentors, teachers, mentee.stalled)
    log.rows.sort()
    return (row for _, row in log.rows)


def _at(rng: random.Random, day: date, earliest: int = 9, latest: int = 16) -> int:
    return epoch(day, rng.randint(earliest * 3600, latest * 3600))


def _meetings(log: _Log, rng: random.Random, start: date, last: date, mentors: list[str], leader: str, teachers: list[str]) -> None:
    day, n = start, 1
    while day <= last:
        ts = epoch(day, 14 * 3600 + 30 * 60 * rng.randint(0, 4))  # afternoons, on the half hour
        people = [*mentors[: 1 + (rng.random() < 0.3)], leader, *rng.sample(teachers, min(len(teachers), rng.randint(1, 3)))]
        for who in dict.fromkeys(people):  # one statement per participant
            log.add(f"meeting|{n}|{who}", ts, who, vocab.ATTENDED, "meetings", n, f"Mentoring meeting {n}")
        day += timedelta(days=rng.randint(14, 21))
        n += 1


def _goals(log: _Log, rng: random.Random, pair: Mentoring, last: date, leader: str, stalled: bool) -> None:
    for n in range(1, rng.randint(2, 4) + 1):
        day = date(2025, 11, 3) + timedelta(days=rng.randint(0, 25))
        if day > last or day <= pair.start:
            continue
        log.add(f"goal-set|{n}", _at(rng, day), leader, vocab.SET, "goals", n, f"Development goal {n}")
        if not stalled and rng.random() < 0.7:
            done = date(2026, 4, 20) + timedelta(days=rng.randint(0, 55))
            log.add(f"goal-achieved|{n}", _at(rng, done), leader, vocab.ACHIEVED, "goals", n, f"Development goal {n}")


def _steps(log: _Log, rng: random.Random, pair: Mentoring, last: date, people: list[str], stalled: bool) -> None:
    """Steps go into the action plan in December and January; active schools do most of them."""
    first = max(date(2025, 12, 1), pair.start + timedelta(days=1))
    done = 0
    for n in range(1, rng.randint(6, 12) + 1):
        planned = first + timedelta(days=rng.randint(0, 60))
        if planned > last:
            continue
        log.add(f"step-planned|{n}", _at(rng, planned), people[0], vocab.SET, "steps", n, f"Action-plan step {n}")
        finished = planned + timedelta(days=rng.randint(7, 150))
        if finished <= last and (rng.random() < 0.75 if not stalled else done < 2 and rng.random() < 0.5):
            log.add(f"step|{n}", _at(rng, finished), rng.choice(people), vocab.COMPLETED, "steps", n, f"Action-plan step {n}")
            done += 1


def _observations(log: _Log, rng: random.Random, last: date, mentors: list[str], teachers: list[str], stalled: bool) -> None:
    count = rng.randint(0, 1) if stalled else rng.randint(3, 6)
    for n in range(1, count + 1):
        day = date(2026, 2, 2) + timedelta(days=rng.randint(0, 110))
        if day <= last:
            log.add(f"observation|{n}", _at(rng, day, 8, 14), rng.choice(mentors), vocab.OBSERVED, "observations", n,
                    f"Observed lesson {n}", instructor=rng.choice(teachers))


def credential_statements(school: School, hub: Hub, ids: Ids, seed: int) -> Iterator[str]:
    """Micro-credentials the school's pilot teachers earn; no school extension (registry attributes them)."""
    rng = random.Random(f"{seed}|credentials|{school.school_id}")
    rate = {"mentor": 1.2, "mentee": 0.5 if school.stalled else 1.0, "comparison": 0.4}[school.kind]
    rows = []
    for teacher in school.role("teacher"):
        earned = [b for b in BADGES if rng.random() < rate / len(BADGES) * 2]
        for code in earned:
            ts = _at(rng, date(2025, 10, 1) + timedelta(days=rng.randint(0, 250)), 8, 20)
            stmt_id = ids.statement(f"badge|{teacher.person_id}|{code}")
            rows.append((ts, _BADGE % (stmt_id, agent(teacher.actor), f"https://badges.{hub.hub_id}.example.org/{code}",
                                       BADGES[code], iso(ts))))
    rows.sort()
    return (row for _, row in rows)
