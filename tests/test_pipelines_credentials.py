"""Credentials marts on tests/fixtures/pipelines/credentials/definitions (issue 23's decisions).

Hub ee-h has schools c1-c3, hub ee-k school c4 (country EE for both); LAT_MIN_SCHOOLS is 3.
Teachers a, b, c (c1, c2, c3) and d (c4) earn the badge; a earns it twice (2025-06-10, stored
first, and 2025-05-01). The mentor m, registered without a school, earns it with the hub
extension ee-h. e, not in the registry, earns it with the school extension zz (not in the
registry either) and the hub extension ee-h.

- earned_on: the first earning (a: 2025-05-01), counted once;
- the mentor counts for ee-h (hub extension, as the attribution rule gives it) and for EE,
  in earned and not in schools, and so does e (zz is no registry school); ee-k, with one
  school, is withheld; the mentor's second badge, earned by no one with a school, is withheld
  for its 0 schools (few_schools);
- credentials_person: a row per registered person and achievement in a registry school;
  none for the mentor, who has no school.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline_fixtures import FIXTURES, assert_frame_matches, case_marts, expected
from pipelines.credentials.family import compute

CASE = FIXTURES / "credentials" / "definitions"


@pytest.fixture
def marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, pl.DataFrame]:
    return case_marts(tmp_path, monkeypatch, CASE, compute, min_schools=3)


def test_school_counts_each_earner_once(marts: dict[str, pl.DataFrame]) -> None:
    assert_frame_matches(marts["credentials_school"], expected(CASE / "school.csv"), keys=["school"])


def test_hub_counts_the_mentor_by_the_hub_extension(marts: dict[str, pl.DataFrame]) -> None:
    assert_frame_matches(marts["credentials_hub"], expected(CASE / "hub.csv"), keys=["hub", "achievement"])


def test_country_counts_the_mentor_too(marts: dict[str, pl.DataFrame]) -> None:
    assert_frame_matches(marts["credentials_country"], expected(CASE / "country.csv"), keys=["country", "achievement"])


def test_person_rows_and_earned_on_of_a_badge_earned_twice(marts: dict[str, pl.DataFrame]) -> None:
    want = expected(CASE / "person.csv").with_columns(pl.col("earned_on").str.to_date())
    assert_frame_matches(marts["credentials_person"], want, keys=["person"])
