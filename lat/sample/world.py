"""The sample world: who exists, who mentors whom, and each school's hidden digital maturity.

Everything is drawn from ``random.Random`` seeded with strings derived from the run's seed, so
the same seed builds the same world. The hidden parts (maturity, engagement, stalling) drive
the statements and are never written to the registry: the toolbox has to find them in the data.

A mentee school's engagement is one latent number behind both its early mentoring activity
(see :mod:`lat.sample.mentoring`) and its chance of stalling, so early activity predicts
stalling the way it does in real pilots: as a tendency, with noise, never as a giveaway.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from lat.sample.items import AREA_BASE
from lat.sample.scales import COUNTRIES, Country, Scale

LEVEL_WEIGHTS = {"primary": 0.4, "secondary": 0.45, "vet": 0.15}
STAFF = {"primary": (12, 35), "secondary": (25, 70), "vet": (20, 55)}
PUPILS = {"primary": (120, 500), "secondary": (250, 1100), "vet": (200, 900)}
LEVEL_NAMES = {"primary": "Primary School", "secondary": "Secondary School", "vet": "Vocational School"}
MENTORING_END = date(2026, 6, 19)
# logit(chance of stalling) = STALL_LOGIT[0] + STALL_LOGIT[1] * engagement, engagement ~ N(0, 1):
# 31% of mentee schools stall on average: 8% of engaged ones (+1 sd), 25% at average, 57% at -1 sd
STALL_LOGIT = (-1.1, -1.4)
STALL_WEEKS = (7, 14)  # a stalled school's contact stops this many weeks after the start


@dataclass(frozen=True)
class Person:
    """A person of the sample world, with their role and xAPI actor."""

    person_id: str
    school: str  # empty for hub coordinators
    role: str  # leader | teacher | student | mentor | coordinator
    actor: str  # normalised actor key: mailto:... or <LMS homePage>|<account name>


@dataclass
class School:
    """A sample school: what the registry shows, the hidden traits that drive its statements, and its people."""

    school_id: str
    name: str
    country: Country
    hub: str
    level: str
    teachers: int
    students: int
    kind: str  # mentor | mentee | comparison (hidden)
    maturity: float  # hidden latent digital maturity, 0 = average
    area_offset: dict[str, float]  # hidden per-area deviation from the school's maturity
    engagement: float = 0.0  # hidden: a mentee school's commitment to mentoring, ~N(0, 1); 0 for others
    stalled: bool = False  # hidden: a mentee school whose mentoring stops early
    people: list[Person] = field(default_factory=list)

    def role(self, role: str) -> list[Person]:
        """The school's people with ``role``."""
        return [p for p in self.people if p.role == role]


@dataclass(frozen=True)
class Mentoring:
    """A sample mentoring pair, with when contact really stops (hidden)."""

    mentor: str  # a person_id or a school_id
    mentee_school: str
    start: date
    end: date
    contact_until: date  # hidden: when contact really stops (== end unless stalled)


@dataclass
class Hub:
    """A sample hub: its country, LMS site, schools, coordinators and mentoring pairs."""

    hub_id: str
    name: str
    country: Country
    lms_home: str  # the hub's Moodle site (account homePage)
    schools: list[School] = field(default_factory=list)
    coordinators: list[Person] = field(default_factory=list)
    mentoring: list[Mentoring] = field(default_factory=list)


@dataclass
class World:
    """The whole sample world: its seed, scale and hubs."""

    seed: int
    scale: Scale
    hubs: list[Hub]


def build_world(scale: Scale, seed: int) -> World:
    """The whole world for ``scale`` and ``seed``."""
    hubs = []
    for country in COUNTRIES:
        for n in range(1, scale.hubs_per_country + 1):
            hubs.append(_hub(scale, seed, country, n))
    return World(seed, scale, hubs)


def _hub(scale: Scale, seed: int, country: Country, n: int) -> Hub:
    rng = random.Random(f"{seed}|hub|{country.id}|{n}")
    hub_id = f"hub-{country.id.lower()}-{n:02d}"
    city = country.cities[(n - 1) % len(country.cities)]
    suffix = "" if n <= len(country.cities) else f" {(n - 1) // len(country.cities) + 1}"
    hub = Hub(hub_id, f"{city} innovation hub{suffix}", country, f"https://moodle.{hub_id}.example.org")
    lms_ids = iter(range(2, 10**9))  # Moodle user ids; 1 is the site admin
    for i in range(scale.schools_per_hub):
        kind = "mentor" if i < scale.mentor_schools_per_hub else ("mentee" if i < scale.mentor_schools_per_hub + scale.mentee_schools_per_hub else "comparison")
        hub.schools.append(_school(scale, seed, rng, hub, i, kind, lms_ids))
    coordinator = f"{hub_id}-c1"
    hub.coordinators.append(Person(coordinator, "", "coordinator", f"mailto:{coordinator}@hubs.example.org"))
    hub.mentoring = _pairs(seed, rng, hub)
    return hub


def _school(scale: Scale, seed: int, rng: random.Random, hub: Hub, i: int, kind: str, lms_ids: Iterator[int]) -> School:
    country = hub.country
    level = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
    number = int(hub.hub_id[-2:]) * 1000 + i + 1
    school_id = f"{country.id.lower()}-s{number:05d}"
    city = country.cities[rng.randrange(len(country.cities))]
    centre = {"mentor": 0.6, "mentee": -0.3, "comparison": 0.0}[kind]
    # drawn from its own stream so the hub's draws (names, sizes, people) do not shift
    engagement = random.Random(f"{seed}|engagement|{school_id}").gauss(0.0, 1.0) if kind == "mentee" else 0.0
    school = School(
        school_id=school_id,
        name=f"{city} {LEVEL_NAMES[level]} No. {i + 1}",
        country=country,
        hub=hub.hub_id,
        level=level,
        teachers=rng.randint(*STAFF[level]),
        students=rng.randint(*PUPILS[level]),
        kind=kind,
        maturity=rng.gauss(centre, 0.3),
        area_offset={area: rng.gauss(0.0, 0.25) for area in AREA_BASE},
        engagement=engagement,
        stalled=kind == "mentee" and rng.random() < stall_chance(engagement),
    )
    school.people = _people(scale, rng, hub, school, lms_ids)
    return school


def stall_chance(engagement: float) -> float:
    """The chance that a mentee school with this engagement stalls (logistic in engagement)."""
    return 1 / (1 + math.exp(-(STALL_LOGIT[0] + STALL_LOGIT[1] * engagement)))


def _people(scale: Scale, rng: random.Random, hub: Hub, school: School, lms_ids: Iterator[int]) -> list[Person]:
    sid, cc = school.school_id, school.country.id.lower()
    people = [Person(f"{sid}-l{n}", sid, "leader", f"mailto:{sid}-l{n}@{cc}.schools.example.org") for n in range(1, rng.randint(2, 6) + 1)]
    if school.kind == "mentor":
        people += [Person(f"{sid}-m{n}", sid, "mentor", f"mailto:{sid}-m{n}@{cc}.schools.example.org") for n in range(1, rng.randint(1, 2) + 1)]
    # teachers and students are known by their account on the hub's Moodle site
    people += [Person(f"{sid}-t{n:02d}", sid, "teacher", f"{hub.lms_home}|{next(lms_ids)}") for n in range(1, rng.randint(*scale.pilot_teachers) + 1)]
    people += [Person(f"{sid}-st{n:03d}", sid, "student", f"{hub.lms_home}|{next(lms_ids)}") for n in range(1, rng.randint(*scale.lms_students) + 1)]
    return people


def _pairs(seed: int, rng: random.Random, hub: Hub) -> list[Mentoring]:
    """Each mentee school gets a mentor: alternately a mentor person or a whole mentor school."""
    mentors = [s for s in hub.schools if s.kind == "mentor"]
    pairs = []
    for n, mentee in enumerate(s for s in hub.schools if s.kind == "mentee"):
        mentor_school = mentors[n % len(mentors)]
        mentor = rng.choice(mentor_school.role("mentor")).person_id if n % 2 == 0 else mentor_school.school_id
        start = date(2025, 10, 1) + timedelta(days=rng.randint(0, 20))
        # its own stream, so which schools stall does not move the other pairs' start dates
        stop = random.Random(f"{seed}|stall|{mentee.school_id}").randint(*STALL_WEEKS)
        contact_until = start + timedelta(weeks=stop) if mentee.stalled else MENTORING_END
        pairs.append(Mentoring(mentor, mentee.school_id, start, MENTORING_END, contact_until))
    return pairs
