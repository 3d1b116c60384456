"""Moodle-shaped LMS activity of one school's teachers and students.

Statements look like what Moodle's logstore_xapi plugin emits (account actors on the hub's
Moodle site, the site as category, section and course as parents, the plugin's info
extension) with a timestamp but no ``id``: the ingest derives one. More mature schools use
the LMS more, and active mentee schools more so after the new year.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from lat.sample.emit import epoch, iso
from lat.sample.world import Hub, School
from lat.xapi import vocab

TERM = (date(2025, 9, 1), date(2026, 6, 19))
HOLIDAYS = {date(2025, 12, 22), date(2025, 12, 29), date(2026, 2, 23), date(2026, 4, 6)}  # Mondays of weeks off
# Moodle module -> activity type, as logstore_xapi names them
MODULE_TYPES: dict[str, str] = {
    "page": "https://w3id.org/xapi/acrossx/activities/page",
    "resource": "http://id.tincanapi.com/activitytype/resource",
    "url": "http://adlnet.gov/expapi/activities/link",
    "forum": "https://xapi.edlm/profiles/edlm-lms/concepts/activity-types/forum",
    "assign": "https://xapi.edlm/profiles/edlm-lms/concepts/activity-types/assignment",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
}
SUBMISSION = "https://xapi.edlm/profiles/edlm-lms/concepts/activity-types/submission"
ATTEMPT = "http://adlnet.gov/expapi/activities/attempt"
_INFO = (
    '"extensions":{"http://lrs.learninglocker.net/define/extensions/info":{"event_function":"%s",'
    '"event_name":"%s","http://moodle.org":"4.5.0","https://github.com/xAPI-vle/moodle-logstore_xapi":"4.7.0"}}'
)


@dataclass(frozen=True)
class Course:
    """A course of a hub's LMS: its id, name and modules."""

    id: int
    name: str
    modules: tuple[tuple[int, str], ...]  # (course-module id, module name)


class _Site:
    """String pieces of one hub's Moodle site, built once per school."""

    def __init__(self, hub: Hub) -> None:
        self.home = hub.lms_home
        self.category = f'"category":[{{"id":"{self.home}","definition":{{"name":{{"en":"{hub.name}"}},"type":"{vocab.LMS_SITE}"}},"objectType":"Activity"}}]'
        self.language = hub.country.language

    def activity(self, iri: str, name: str, kind: str) -> str:
        return f'{{"id":"{iri}","definition":{{"name":{{"en":"{name}"}},"type":"{kind}"}},"objectType":"Activity"}}'

    def course(self, course: Course) -> str:
        return self.activity(f"{self.home}/course/view.php?id={course.id}", course.name, vocab.COURSE)

    def section(self, course: Course) -> str:
        return self.activity(f"{self.home}/course/section.php?id={course.id * 10}", f"{course.name} Section 0", vocab.SECTION)

    def module(self, cmid: int, kind: str, name: str) -> str:
        return self.activity(f"{self.home}/mod/{kind}/view.php?id={cmid}", name, MODULE_TYPES[kind])


def _statement(site: _Site, user: str, verb: str, display: str, obj: str, parents: list[str], info: tuple[str, str], ts: int, result: str = "") -> str:
    parent = f',"parent":[{",".join(parents)}]' if parents else ""
    result = f',"result":{result}' if result else ""
    return (
        f'{{"actor":{{"account":{{"homePage":"{site.home}","name":"{user}"}},"name":"Moodle user {user}"}},'
        f'"verb":{{"id":"{verb}","display":{{"en":"{display}"}}}},"object":{obj},'
        f'"context":{{"contextActivities":{{{site.category}{parent}}},{_INFO % info},"language":"{site.language}"}}{result},'
        f'"timestamp":"{iso(ts, "+00:00")}"}}'
    )


def _courses(school: School, rng: random.Random, index: int) -> list[Course]:
    courses = []
    for c in range(rng.randint(3, 7)):
        course_id = index * 100 + c + 2
        kinds = rng.choices(list(MODULE_TYPES), k=rng.randint(6, 12))
        modules = tuple((course_id * 100 + m, f"{kind.capitalize()} {m + 1}") for m, kind in enumerate(kinds))
        courses.append(Course(course_id, f"{school.school_id} course {c + 1}", modules))
    return courses


def _kind(name: str) -> str:
    return name.split()[0].lower()


def lms_statements(school: School, hub: Hub, index: int, seed: int, week_probability: float) -> Iterator[str]:
    """A school year of LMS activity, week by week (time order within each week)."""
    rng = random.Random(f"{seed}|lms|{school.school_id}")
    site = _Site(hub)
    courses = _courses(school, rng, index)
    users = [(p.actor.split("|", 1)[1], p.role) for p in school.role("teacher") + school.role("student")]
    uptake = week_probability * (0.5 + 1 / (1 + math.exp(-2 * school.maturity)))
    week = TERM[0]
    while week < TERM[1]:
        if week not in HOLIDAYS:
            boost = 1.3 if school.kind == "mentee" and not school.stalled and week >= date(2026, 1, 5) else 1.0
            rows: list[tuple[int, str]] = []
            for user, role in users:
                if rng.random() < min(0.95, uptake * boost):
                    rows.extend(_week(site, rng, week, user, role, rng.choice(courses)))
            rows.sort()
            yield from (row for _, row in rows)
        week += timedelta(days=7)


def _week(site: _Site, rng: random.Random, week: date, user: str, role: str, course: Course) -> list[tuple[int, str]]:
    ts = epoch(week + timedelta(days=rng.randint(0, 4)), rng.randint(7 * 3600, 20 * 3600))
    rows = [
        (
            ts,
            _statement(
                site,
                user,
                vocab.VIEWED,
                "Viewed",
                site.course(course),
                [],
                ("\\\\src\\\\transformer\\\\events\\\\core\\\\course_viewed", "\\\\core\\\\event\\\\course_viewed"),
                ts,
            ),
        )
    ]
    parents = [site.section(course), site.course(course)]
    for cmid, name in rng.sample(course.modules, min(len(course.modules), rng.randint(1, 3))):
        kind = _kind(name)
        ts += rng.randint(20, 600)
        module = site.module(cmid, kind, name)
        rows.append(
            (
                ts,
                _statement(
                    site,
                    user,
                    vocab.VIEWED,
                    "Viewed",
                    module,
                    parents,
                    ("\\\\src\\\\transformer\\\\events\\\\all\\\\course_module_viewed", f"\\\\mod_{kind}\\\\event\\\\course_module_viewed"),
                    ts,
                ),
            )
        )
        if role != "student":
            continue
        ts += rng.randint(60, 1800)
        if kind == "assign" and rng.random() < 0.6:
            submission = site.activity(f"{site.home}/mod/assign/view.php?id={cmid}#submission", f"{name} Submission", SUBMISSION)
            rows.append(
                (
                    ts,
                    _statement(
                        site,
                        user,
                        vocab.SUBMITTED,
                        "Submitted",
                        submission,
                        [module, *parents],
                        ("\\\\src\\\\transformer\\\\events\\\\mod_assign\\\\assignment_submitted", "\\\\mod_assign\\\\event\\\\assessable_submitted"),
                        ts,
                    ),
                )
            )
        elif kind == "quiz" and rng.random() < 0.6:
            rows.append((ts, _quiz_attempt(site, rng, user, cmid, name, module, parents, ts)))
        elif rng.random() < 0.3:
            rows.append(
                (
                    ts,
                    _statement(
                        site,
                        user,
                        vocab.COMPLETED,
                        "Completed",
                        module,
                        parents,
                        (
                            "\\\\src\\\\transformer\\\\events\\\\core\\\\course_module_completion_updated",
                            "\\\\core\\\\event\\\\course_module_completion_updated",
                        ),
                        ts,
                        '{"completion":true}',
                    ),
                )
            )
    return rows


def _quiz_attempt(site: _Site, rng: random.Random, user: str, cmid: int, name: str, module: str, parents: list[str], ts: int) -> str:
    attempt = rng.randint(1, 10**6)
    raw = min(100, max(0, round(rng.gauss(68, 18))))
    obj = site.activity(f"{site.home}/mod/quiz/attempt.php?attempt={attempt}&cmid={cmid}", f"{name} Attempt", ATTEMPT)
    result = (
        f'{{"score":{{"raw":{raw},"min":0,"max":100,"scaled":{raw / 100}}},"completion":true,'
        f'"success":{"true" if raw >= 50 else "false"},"duration":"PT{rng.randint(3, 40)}M{rng.randint(0, 59)}S"}}'
    )
    return _statement(
        site,
        user,
        vocab.COMPLETED,
        "Completed",
        obj,
        [module, *parents],
        ("\\\\src\\\\transformer\\\\events\\\\mod_quiz\\\\attempt_submitted\\\\handler", "\\\\mod_quiz\\\\event\\\\attempt_submitted"),
        ts,
        result,
    )
