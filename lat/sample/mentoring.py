"""A school year of whole-school mentoring for one mentee school, and teachers' micro-credentials.

A kick-off meeting, then meetings every two to three weeks; goals set in the goals phase and
(mostly) achieved by June; action-plan steps and lesson observations during implementation.
A stalled school's contact stops after a few months: few meetings, few steps, no goal achieved.

The school's hidden engagement (:attr:`School.engagement`, ~N(0, 1)) shifts how the
mentoring goes from the first weeks on: a less engaged school holds its kick-off later, meets
less often with fewer teachers, sets its goals and plans its steps later and completes steps
more slowly. The same engagement makes stalling likelier (:func:`lat.sample.world.stall_chance`),
so the early weeks carry the signs of stalling, each blurred by its own noise.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from lat.sample.emit import Ids, agent, epoch, iso
from lat.sample.world import Hub, Mentoring, School
from lat.xapi import vocab

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

_CATEGORY = f'"category":[{{"objectType":"Activity","id":"{vocab.PROFILE_VERSION}","definition":{{"type":"{vocab.PROFILE_ACTIVITY_TYPE}"}}}}]'
_STATEMENT = (
    '{"id":"%s","actor":%s,"verb":{"id":"%s","display":{"en":"%s"}},'
    '"object":{"objectType":"Activity","id":"%s","definition":{"type":"%s","name":{"en":"%s"}}},'
    '"context":{"registration":"%s",%s"contextActivities":{"parent":[{"objectType":"Activity","id":"%s",'
    '"definition":{"type":"' + vocab.INITIATIVE + '"}}],' + _CATEGORY + "},"
    '"extensions":{"' + vocab.EXT_SCHOOL + '":"%s","' + vocab.EXT_HUB + '":"%s","' + vocab.EXT_PHASE + '":"%s"}},'
    '"timestamp":"%s"}'
)
_BADGE = (
    '{"id":"%s","actor":%s,"verb":{"id":"' + vocab.EARNED + '","display":{"en":"earned"}},'
    '"object":{"objectType":"Activity","id":"%s","definition":{"type":"' + vocab.BADGE + '","name":{"en":"%s"}}},'
    '"context":{"contextActivities":{' + _CATEGORY + '}},"timestamp":"%s"}'
)
_VERBS = {
    vocab.ATTENDED: "attended",
    vocab.SET: "set",
    vocab.ACHIEVED: "achieved",
    vocab.COMPLETED: "completed",
    vocab.OBSERVED: "observed",
}


def phase(day: date) -> str:
    """The mentoring phase that ``day`` falls in."""
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
        self.rows.append(
            (
                ts,
                _STATEMENT
                % (
                    stmt_id,
                    agent(actor),
                    verb,
                    _VERBS[verb],
                    object_id,
                    _TYPES[kind],
                    name,
                    self.registration,
                    context_extra,
                    f"{self.base}/initiative",
                    self.pair.mentee_school,
                    self.hub.hub_id,
                    phase(day),
                    iso(ts),
                ),
            )
        )


_TYPES = {"meetings": vocab.MEETING, "goals": vocab.GOAL, "steps": vocab.OBJECTIVE, "observations": vocab.LESSON}


def mentoring_statements(pair: Mentoring, hub: Hub, mentee: School, mentors: list[str], ids: Ids, seed: int) -> Iterator[str]:
    """All statements of one mentoring relationship, in time order (kick-off meeting first)."""
    rng = random.Random(f"{seed}|mentoring|{pair.mentee_school}")
    log = _Log(pair, hub, ids)
    leader = mentee.role("leader")[0].actor
    teachers = [p.actor for p in mentee.role("teacher")]
    engagement = mentee.engagement
    kick_off = pair.start + timedelta(days=_around(rng, 5 - 5 * engagement, 5, 0, 35))
    last = max(kick_off, min(pair.contact_until, pair.end))  # even a stalled school holds its kick-off
    _meetings(log, rng, kick_off, last, mentors, leader, teachers, engagement)
    _goals(log, rng, kick_off, last, leader, mentee.stalled, engagement)
    _steps(log, rng, kick_off, last, [leader, *teachers], mentee.stalled, engagement)
    _observations(log, rng, last, mentors, teachers, mentee.stalled)
    log.rows.sort()
    return (row for _, row in log.rows)


def _at(rng: random.Random, day: date, earliest: int = 9, latest: int = 16) -> int:
    return epoch(day, rng.randint(earliest * 3600, latest * 3600))


def _around(rng: random.Random, centre: float, spread: float, low: int, high: int) -> int:
    """A whole number drawn around ``centre`` (normal, sd ``spread``), kept within [low, high]."""
    return min(high, max(low, round(rng.gauss(centre, spread))))


def _meetings(log: _Log, rng: random.Random, kick_off: date, last: date, mentors: list[str], leader: str, teachers: list[str], engagement: float) -> None:
    """Engaged schools meet more often (every 12-28 days) and bring more teachers (1-4)."""
    day, n = kick_off, 1
    while day <= last:
        ts = epoch(day, 14 * 3600 + 30 * 60 * rng.randint(0, 4))  # afternoons, on the half hour
        joining = min(len(teachers), _around(rng, 2 + 0.7 * engagement, 0.8, 1, 4))
        people = [*mentors[: 1 + (rng.random() < 0.3)], leader, *rng.sample(teachers, joining)]
        for who in dict.fromkeys(people):  # one statement per participant
            log.add(f"meeting|{n}|{who}", ts, who, vocab.ATTENDED, "meetings", n, f"Mentoring meeting {n}")
        day += timedelta(days=_around(rng, 17 - 4 * engagement, 3, 12, 28))
        n += 1


def _goals(log: _Log, rng: random.Random, kick_off: date, last: date, leader: str, stalled: bool, engagement: float) -> None:
    """Goals are set in November, later (into December) by less engaged schools."""
    achieve = min(0.95, max(0.4, 0.7 + 0.1 * engagement))
    for n in range(1, rng.randint(2, 4) + 1):
        day = date(2025, 11, 3) + timedelta(days=rng.randint(0, 25) + _around(rng, -10 * engagement, 7, 0, 40))
        day = max(day, kick_off + timedelta(days=1))
        if day > last:
            continue
        log.add(f"goal-set|{n}", _at(rng, day), leader, vocab.SET, "goals", n, f"Development goal {n}")
        if not stalled and rng.random() < achieve:
            done = date(2026, 4, 20) + timedelta(days=rng.randint(0, 55))
            log.add(f"goal-achieved|{n}", _at(rng, done), leader, vocab.ACHIEVED, "goals", n, f"Development goal {n}")


def _steps(log: _Log, rng: random.Random, kick_off: date, last: date, people: list[str], stalled: bool, engagement: float) -> None:
    """Steps go into the action plan from late November to January (engaged schools start
    earlier); active schools complete most of them, less engaged ones fewer and later."""
    first = max(date(2025, 11, 17) + timedelta(days=_around(rng, 10 - 10 * engagement, 8, 0, 45)), kick_off + timedelta(days=1))
    complete = min(0.95, max(0.5, 0.75 + 0.08 * engagement))
    done = 0
    for n in range(1, rng.randint(6, 12) + 1):
        planned = first + timedelta(days=rng.randint(0, 60))
        if planned > last:
            continue
        log.add(f"step-planned|{n}", _at(rng, planned), people[0], vocab.SET, "steps", n, f"Action-plan step {n}")
        finished = planned + timedelta(days=rng.randint(7, 45) + _around(rng, -20 * engagement, 15, 0, 90))
        if finished <= last and (rng.random() < complete if not stalled else done < 2 and rng.random() < 0.5):
            log.add(f"step|{n}", _at(rng, finished), rng.choice(people), vocab.COMPLETED, "steps", n, f"Action-plan step {n}")
            done += 1


def _observations(log: _Log, rng: random.Random, last: date, mentors: list[str], teachers: list[str], stalled: bool) -> None:
    count = rng.randint(0, 1) if stalled else rng.randint(3, 6)
    for n in range(1, count + 1):
        day = date(2026, 2, 2) + timedelta(days=rng.randint(0, 110))
        if day <= last:
            log.add(
                f"observation|{n}",
                _at(rng, day, 8, 14),
                rng.choice(mentors),
                vocab.OBSERVED,
                "observations",
                n,
                f"Observed lesson {n}",
                instructor=rng.choice(teachers),
            )


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
            rows.append((ts, _BADGE % (stmt_id, agent(teacher.actor), f"https://badges.{hub.hub_id}.example.org/{code}", BADGES[code], iso(ts))))
    rows.sort()
    return (row for _, row in rows)
