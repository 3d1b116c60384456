"""xAPI statement validation: fixture cases per rule, the real Moodle corpus, the API surface.

Fixtures (sqlglot style): ``tests/fixtures/validation/valid/*.json`` hold statements that
must pass (bare, or ``{"statement": ..., "version": ...}``); each
``tests/fixtures/validation/invalid/*.json`` is ``{"statement": ..., "error": "<substring
of the reason>", "version": optional}``, one per rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from json_paths import changed, paths
from lat.xapi.validation import StatementError, check, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validation"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _unwrap(case: Any) -> tuple[Any, str | None]:
    """A valid fixture is a bare statement or a ``{"statement", "version"}`` wrapper."""
    if isinstance(case, dict) and "statement" in case and "actor" not in case:
        return case["statement"], case.get("version")
    return case, None


VALID = sorted((FIXTURES / "valid").glob("*.json"))
INVALID = sorted((FIXTURES / "invalid").glob("*.json"))


def test_there_is_a_case_per_rule() -> None:
    assert len(INVALID) >= 80
    assert len(VALID) >= 20


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_statement_passes(path: Path) -> None:
    stmt, version = _unwrap(_load(path))
    assert validate(stmt, version=version) is None


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_statement_fails_with_its_reason(path: Path) -> None:
    case = _load(path)
    reason = validate(case["statement"], version=case.get("version"))
    assert reason is not None, f"{path.name} was accepted"
    assert case["error"] in reason


def test_reason_names_the_path_first() -> None:
    case = _load(FIXTURES / "invalid" / "actor_two_ifis.json")
    assert validate(case["statement"]) == ("actor: an Agent needs exactly one identifier of mbox, mbox_sha1sum, openid, account; found 2 (mbox, account)")
    case = _load(FIXTURES / "invalid" / "score_scaled_above_1.json")
    assert validate(case["statement"]) == "result.score.scaled: 1.5 is outside [-1, 1]"


def _minimal() -> dict[str, Any]:
    stmt: dict[str, Any] = _load(FIXTURES / "valid" / "minimal.json")
    return stmt


def test_version_argument_selects_the_rules() -> None:
    stmt = _minimal()
    stmt["timestamp"] = "2024-05-04T12:00:00"  # no offset: ISO 8601 yes, RFC 3339 no
    assert validate(stmt) is None
    assert validate(stmt, version="1.0.3") is None
    assert "has no timezone offset" in (validate(stmt, version="2.0.0") or "")
    stmt["timestamp"] = "2024-05-04T12:00:00Z"
    stmt["context"] = {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@example.org"}}]}
    assert validate(stmt) is None
    assert validate(stmt, version="2.0.0") is None
    assert validate(stmt, version="1.0.3") == ("context.contextAgents: not a property of a Context in xAPI 1.0.3 (added in xAPI 2.0)")


def test_statement_version_picks_the_rules_when_none_is_asked() -> None:
    stmt = _minimal()
    stmt["context"] = {"contextGroups": [{"objectType": "contextGroup", "group": {"objectType": "Group", "mbox": "mailto:g@example.org"}}]}
    assert validate(stmt) is None
    stmt["version"] = "1.0.3"
    assert "context.contextGroups: not a property of a Context in xAPI 1.0.3" in (validate(stmt) or "")
    stmt["version"] = "2.0.0"
    assert validate(stmt) is None
    # an explicit version wins over the statement's own
    assert "version: '2.0.0' is not a supported xAPI version" in (validate(stmt, version="1.0.3") or "")


def test_unknown_version_argument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="version must be '1.0.3', '2.0.0' or None"):
        validate(_minimal(), version="0.95")


def test_check_raises_statement_error_with_the_reason() -> None:
    check(_minimal())
    check(_minimal(), version="2.0.0")
    stmt = _minimal()
    stmt["result"] = {"score": {"scaled": 1.5}}
    with pytest.raises(StatementError) as caught:
        check(stmt)
    assert str(caught.value) == "result.score.scaled: 1.5 is outside [-1, 1]"
    assert isinstance(caught.value, ValueError)


def test_validation_does_not_change_the_statement() -> None:
    case = _load(FIXTURES / "valid" / "full_1_0_3.json")
    before = json.dumps(case, sort_keys=True)
    validate(case)
    assert json.dumps(case, sort_keys=True) == before


def test_caches_do_not_let_a_bad_value_through_after_a_good_one() -> None:
    """IRIs and language tags found good are remembered; a bad one must still fail every time."""
    stmt = _minimal()
    assert validate(stmt) is None
    stmt["verb"]["id"] = "attended"
    for _ in range(2):
        assert validate(stmt) == "verb.id: 'attended' is not an absolute IRI (it needs a scheme such as https: and no spaces)"


# --- the real Moodle corpus ---------------------------------------------------------------
#
# All 190 statements (169 distinct) that Moodle's logstore_xapi emits in its test fixtures
# were read by hand against the xAPI 1.0.3 Data rules and the 2.0 changes. None breaks a
# rule, so none may be rejected under either version:
# - actors and instructors are Agents identified by account {homePage, name} only;
# - every verb id and activity id/type is an absolute http(s) IRI (some, such as
#   https://xapi.edlm/..., do not resolve: resolvability is not a rule);
# - every language map and context.language uses "en";
# - the 35 interaction activities use valid interactionTypes, and their component lists
#   fit the type (choices for choice/sequencing, source+target for matching); ids are
#   distinct; correctResponsesPattern is always an array of strings;
# - scores are numbers with min < max and min <= raw <= max; scaled is in [-1, 1] (the
#   quiz fixtures give scaled 0.0 with raw 50 of 0..100: inconsistent, but the spec does
#   not tie scaled to raw, so it is not a violation);
# - durations are PT1S/PT0S; result.response is a string (the empty string is allowed);
# - there is no id, timestamp, stored, version, authority or attachment to check;
# - contextActivities values are arrays of Activities under parent/grouping/category/other.
CORPUS_REJECTED: dict[tuple[str, int], str] = {}


def _corpus() -> list[tuple[str, int, Any]]:
    items = []
    for path in sorted(CORPUS.glob("*.json")):
        data = _load(path)
        for index, stmt in enumerate(data if isinstance(data, list) else [data]):
            items.append((path.name, index, stmt))
    return items


def test_corpus_is_where_the_test_expects_it() -> None:
    items = _corpus()
    assert len(items) == 190
    assert len({json.dumps(stmt, sort_keys=True) for _, _, stmt in items}) == 169


@pytest.mark.parametrize("version", [None, "1.0.3", "2.0.0"])
def test_moodle_corpus_is_classified_correctly(version: str | None) -> None:
    rejected = {(name, index): reason for name, index, stmt in _corpus() if (reason := validate(stmt, version=version)) is not None}
    assert rejected == CORPUS_REJECTED


# --- robustness: every property of every valid fixture, replaced by every JSON type ----------

_REPLACEMENTS: list[Any] = [None, 1, 2.5, True, "x", "", [], {}, [1], {"a": 1}, ["x"], [{}], [None]]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_wrong_types_give_a_reason_never_an_exception(path: Path) -> None:
    stmt, _ = _unwrap(_load(path))
    for where in paths(stmt):
        for value in _REPLACEMENTS:
            mutated = changed(stmt, [(where, value)])
            for version in (None, "1.0.3", "2.0.0"):
                reason = validate(mutated, version=version)
                assert reason is None or isinstance(reason, str)


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_null_is_rejected_everywhere_but_in_extensions(path: Path) -> None:
    """Data 2.2: an LRS rejects any null value except inside extensions."""
    stmt, version = _unwrap(_load(path))
    for where in paths(stmt):
        if "extensions" in where:
            continue
        reason = validate(changed(stmt, [(where, None)]), version=version)
        assert reason is not None, f"null accepted at {where} of {path.name}"
        assert "null" in reason, reason
