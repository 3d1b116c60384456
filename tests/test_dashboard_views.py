"""The dashboard's new views on hand-made marts: activity per week and month (school and hub),
the period filter, withheld student figures, and who sees a school's own badge list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from dashboards.activity_views import hub_activity, school_activity, school_badges, school_credentials
from dashboards.reading import Params
from dashboards.views import school_timeline
from lat.access.policy import AccessDenied, DataAccess
from lat.access.roles import User
from lat.config import Settings
from lat.errors import LatError
from lat.store.marts import CATALOGUE_FILE
from pipelines.core import catalogue, families

W1, W2, W3, W4 = date(2025, 9, 1), date(2025, 9, 8), date(2025, 9, 29), date(2025, 10, 6)


def _weekly() -> pl.DataFrame:
    # school A: 10 teachers, 100 students; school B: 20 teachers, 200 students (min cell 5).
    # None + True: the pipeline withheld the week's student figures (1-4 students active).
    rows = [
        ("A", W1, 2, 10, False),
        ("A", W2, 4, None, True),
        ("A", W3, 3, 20, False),
        ("A", W4, 5, 6, False),
        ("B", W1, 4, None, True),
        ("B", W2, 6, 40, False),
        ("B", W3, 2, 0, False),
        ("B", W4, 10, 8, False),
    ]
    size = {"A": (10, 100), "B": (20, 200)}
    return pl.DataFrame(
        {
            "school": [r[0] for r in rows],
            "hub": ["H"] * len(rows),
            "week": [r[1] for r in rows],
            "active_teachers": [r[2] for r in rows],
            "teachers": [size[r[0]][0] for r in rows],
            "teacher_share": [r[2] / size[r[0]][0] for r in rows],
            "active_students": [r[3] for r in rows],
            "students": [size[r[0]][1] for r in rows],
            "student_share": [None if r[3] is None else r[3] / size[r[0]][1] for r in rows],
            "students_suppressed": [r[4] for r in rows],
            "completions": [1] * len(rows),
            "teacher_share_change_4w": [None] * len(rows),
            "student_share_change_4w": [None] * len(rows),
        },
        schema_overrides={
            "active_students": pl.Int64,
            "student_share": pl.Float64,
            "teacher_share_change_4w": pl.Float64,
            "student_share_change_4w": pl.Float64,
        },
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    current = tmp_path / "marts" / "v1"
    current.mkdir(parents=True)
    (tmp_path / "marts" / "current").symlink_to("v1")
    pl.DataFrame(
        {
            "school": ["A", "B"],
            "school_name": ["School A", "School B"],
            "hub": ["H", "H"],
            "hub_name": ["Hub", "Hub"],
            "country": ["EE", "EE"],
            "country_name": ["Estonia", "Estonia"],
            "level": ["primary", "secondary"],
            "language": ["et", "et"],
            "teachers": [10, 20],
            "students": [100, 200],
        }
    ).write_parquet(current / "registry_schools.parquet")
    _weekly().write_parquet(current / "activity_weekly.parquet")
    pl.DataFrame(
        {
            "school": ["A", "A", "B"],
            "person": ["A-t01", "A-t02", "B-t01"],
            "achievement": ["x", "y", "x"],
            "achievement_name": ["Coding", None, "Coding"],
            "earned_on": [date(2025, 10, 1), date(2025, 11, 1), date(2025, 10, 2)],
            "issued_by": ["this hub", "xAPI source", "this hub"],
        }
    ).write_parquet(current / "credentials_person.parquet")
    pl.DataFrame(
        {"school": ["A", "A", "B"], "achievement": ["x", "y", "x"], "achievement_name": ["Coding", None, "Coding"], "earned": [1, 3, 1], "imported": [0, 1, 0]}
    ).write_parquet(current / "credentials_school.parquet")
    families.load_catalogue()  # the marts as lat compute describes them beside its marts
    (current / CATALOGUE_FILE).write_text(json.dumps(catalogue.as_data(catalogue.MARTS)), encoding="utf-8")
    return Settings(home=tmp_path, min_cell_size=5)


def _as(settings: Settings, role: str, **scope: tuple[str, ...]) -> DataAccess:
    return DataAccess(User(f"t-{role}", role, **scope), settings)


def test_school_weeks_as_published_and_withheld_students_stay_withheld(settings: Settings) -> None:
    frame = school_activity(_as(settings, "admin"), Params(school="A"))
    assert frame["period"].to_list() == [W1, W2, W3, W4]
    assert frame["teacher_share"].to_list() == pytest.approx([0.2, 0.4, 0.3, 0.5])
    assert frame["active_students"].to_list() == [10, None, 20, 6]
    assert frame["students_suppressed"].to_list() == [False, True, False, False]


def test_school_months_average_the_weeks_and_a_withheld_week_withholds_the_month(settings: Settings) -> None:
    frame = school_activity(_as(settings, "admin"), Params(school="A", grain="month"))
    assert frame["period"].to_list() == [date(2025, 9, 1), date(2025, 10, 1)]
    assert frame["weeks"].to_list() == [3, 1]
    assert frame["active_teachers"].to_list() == [3, 5]  # (2 + 4 + 3) / 3, then 5
    assert frame["teacher_share"].to_list() == pytest.approx([0.3, 0.5])
    assert frame["student_share"].to_list()[0] is None  # September had a withheld week
    assert frame["students_suppressed"].to_list() == [True, False]
    assert frame["student_share"].to_list()[1] == pytest.approx(0.06)
    assert frame["completions"].to_list() == [3, 1]


def test_period_keeps_the_weeks_inside_it(settings: Settings) -> None:
    frame = school_activity(_as(settings, "admin"), Params(school="B", start="2025-09-08", end="2025-09-30T00:00:00"))
    assert frame["period"].to_list() == [W2, W3]
    with pytest.raises(LatError, match="not a date"):
        school_activity(_as(settings, "admin"), Params(school="B", start="8/9/2025"))
    with pytest.raises(LatError, match="starts"):
        school_activity(_as(settings, "admin"), Params(school="B", start="2025-10-01", end="2025-09-01"))
    with pytest.raises(LatError, match="week or month"):
        school_activity(_as(settings, "admin"), Params(school="B", grain="day"))


def test_hub_weeks_sum_schools_and_leave_withheld_schools_out_of_student_totals(settings: Settings) -> None:
    frame = hub_activity(_as(settings, "admin"), Params(hub="H"))
    assert frame["active_teachers"].to_list() == [6, 10, 5, 15]
    assert frame["teacher_share"].to_list() == pytest.approx([6 / 30, 10 / 30, 5 / 30, 15 / 30])
    assert frame["active_students"].to_list() == [10, 40, 20, 14]  # week 1: A only, week 2: B only
    assert frame["student_share"].to_list() == pytest.approx([10 / 100, 40 / 200, 20 / 300, 14 / 300])
    assert frame["schools_withheld"].to_list() == [1, 1, 0, 0]
    months = hub_activity(_as(settings, "admin"), Params(hub="H", grain="month"))
    assert months["teacher_share"].to_list() == pytest.approx([(6 / 30 + 10 / 30 + 5 / 30) / 3, 0.5])
    assert months["student_share"].to_list() == pytest.approx([(0.1 + 0.2 + 20 / 300) / 3, 14 / 300])
    assert months["schools_withheld"].to_list() == [1, 0]


def test_hub_week_with_every_school_withheld_is_withheld_not_zero(settings: Settings) -> None:
    frame = hub_activity(_as(settings, "admin"), Params(hub="H", level="secondary", end="2025-09-07"))  # B only, week 1
    assert frame.select("active_students", "student_share", "students_suppressed", "schools_withheld").row(0) == (None, None, True, 1)


def test_hub_level_filter_and_a_head_sees_only_their_school(settings: Settings) -> None:
    primary = hub_activity(_as(settings, "admin"), Params(hub="H", level="primary"))
    assert primary["teachers"].to_list() == [10, 10, 10, 10]
    head = _as(settings, "school_head", schools=("A",))
    assert hub_activity(head, Params(hub="H"))["teachers"].to_list() == [10, 10, 10, 10]
    assert school_activity(head, Params(school="B")).is_empty()


def test_badge_list_for_the_schools_head_and_admins_only(settings: Settings) -> None:
    head = school_badges(_as(settings, "school_head", schools=("A",)), Params(school="A"))
    assert head.rows() == [("A-t01", "Coding", date(2025, 10, 1), "this hub"), ("A-t02", "y", date(2025, 11, 1), "xAPI source")]
    assert school_badges(_as(settings, "school_head", schools=("A",)), Params(school="B")).is_empty()
    assert school_badges(_as(settings, "admin"), Params(school="B"))["person"].to_list() == ["B-t01"]
    for role, scope in (("mentor", {"schools": ("A",)}), ("hub_coordinator", {"hubs": ("H",)}), ("researcher", {})):
        with pytest.raises(AccessDenied):
            school_badges(_as(settings, role, **scope), Params(school="A"))


def test_school_credential_counts_most_earned_first_and_names_fall_back_to_the_id(settings: Settings) -> None:
    counts = school_credentials(_as(settings, "admin"), Params(school="A"))
    assert counts.rows() == [("y", 3, 1), ("Coding", 1, 0)]


def test_timeline_without_the_mentoring_mart_is_a_plain_lat_error(settings: Settings) -> None:
    with pytest.raises(LatError):  # mentoring_progress is not published here: the page says so in words
        school_timeline(_as(settings, "admin"), Params(school="A"))
