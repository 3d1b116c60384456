"""The achievements file: the sample loads; mistakes are reported with their place."""

from __future__ import annotations

from pathlib import Path

import pytest

from lat.credentials import achievements
from lat.credentials.achievements import Group, StatementRule
from lat.errors import LatError
from lat.xapi import vocab
from tests.credentials_support import ACHIEVEMENTS

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "achievements.toml"


def test_the_sample_and_fixture_files_load() -> None:
    sample = achievements.load(SAMPLE)
    assert [a.id for a in sample.achievements] == ["mentoring-participant", "peer-observer", "school-action-plan"]
    rule = achievements.load(ACHIEVEMENTS).achievement("mentoring-participant").criteria
    assert isinstance(rule, Group) and rule.mode == "all"
    first = rule.rules[0]
    assert isinstance(first, StatementRule) and (first.verb, first.activity_type) == (vocab.ATTENDED, vocab.MEETING)
    assert first.comparison.holds(6) and not first.comparison.holds(5)


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = ACHIEVEMENTS.read_text()
    assert old in text
    path = tmp_path / "a.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("at_least = 6", "atleast = 6", "achievement 'mentoring-participant': criteria.all[0]: unknown key(s) atleast"),
    ("at_least = 6 }", "at_least = 6, at_most = 9 }",
     "criteria.all[0]: give exactly one comparison of at_least, at_most, more_than, less_than, equals (found at_least, at_most)"),
    ('verb = "attended"', 'verb = "went"', "criteria.all[0]: 'verb' 'went' is neither a known name"),
    ('participation = "blended"', 'participation = "hybrid"', "'participation' must be one of online, onsite, blended, not 'hybrid'"),
    ('country = "EE"', 'country = "Estonia"', "issuer: 'country' must be an ISO 3166-1 alpha-2 code"),
    ("to = 2026-08-31", "to = 2024-08-31", "rounds.2025-26: 'to' (2024-08-31) is before 'from' (2025-09-01)"),
    ("eqf_level = 6", "eqf_level = 9", "'eqf_level' must be an integer from 1 to 8, not 9"),
    ('id = "school-steps"', 'id = "mentoring-participant"', "achievement 'mentoring-participant': the id is used twice"),
    ('{ verb = "completed", object = "objective", at_least = 3 }', '{ indicator = "mentoring_progress.meetings", at_least = 3 }',
     "'indicator' rules read school-level marts"),
    ('workload = "12 hours"\n', "", "achievement 'mentoring-participant': 'workload' must be a non-empty string"),
])  # fmt: skip
def test_mistakes_are_named_with_their_place(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _with(tmp_path, old, new)
    with pytest.raises(LatError) as caught:
        achievements.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_broken_toml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[issuer]\nname = "x\n')
    with pytest.raises(LatError, match=r"bad.toml: not valid TOML: .*line 2, column 10\)"):
        achievements.load(path)
