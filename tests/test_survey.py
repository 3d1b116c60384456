"""SELFIE-style survey import: reading and checking CSVs, statements, pseudonyms, the CLI."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lat.config import get_settings
from lat.errors import LatError
from lat.ingest.survey_file import check_round, check_schools, parse_value, read_survey
from lat.ingest.survey_statements import answer_statement
from lat.pseudonym import pseudonym, pseudonym_key
from lat.store import database as store
from lat.xapi import vocab
from lat.xapi.profile import match_template
from lat.xapi.validation import validate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "survey"
WHEN = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


# --- values and labels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "response"),
    [("4", "4"), (" 1 ", "1"), ("5.0", "5"), ("", "na"), ("NA", "na"), ("n/a", "na"), ("pns", "pns"), ("PNS", "pns")],
)
def test_cells_become_responses(cell: str, response: str) -> None:
    assert parse_value(cell) == response


@pytest.mark.parametrize("cell", ["0", "6", "4.5", "agree", "-1", "45"])
def test_other_cells_are_not_answers(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_value(cell)


def test_round_labels_must_fit_in_an_iri() -> None:
    assert check_round(" 2025-autumn ") == "2025-autumn"
    with pytest.raises(LatError, match="not a round label"):
        check_round("autumn 2025")


# --- reading a file -------------------------------------------------------------------------


def test_a_good_file_gives_one_answer_per_cell() -> None:
    survey = read_survey(FIXTURES / "good.csv", default_time=WHEN)
    assert survey.items == ["A1", "A2", "C1", "Cown2"]
    assert survey.respondents == 3
    assert survey.schools == ["PL-KRK-01", "PL-KRK-02"]
    assert len(survey.answers) == 12
    by_cell = {(a.line, a.item): a.response for a in survey.answers}
    assert by_cell[(2, "C1")] == "na"
    assert by_cell[(3, "A2")] == "na"  # empty cell
    assert by_cell[(3, "C1")] == "pns"
    assert by_cell[(4, "A1")] == "3"  # "3.0" from a spreadsheet
    responses = [a.response for a in survey.answers]
    assert sum(r in vocab.LIKERT for r in responses) == 7
    assert responses.count("na") == 3
    assert responses.count("pns") == 2
    assert {a.group for a in survey.answers if a.line == 4} == {"student"}  # "Student" in the file
    assert {a.timestamp for a in survey.answers} == {WHEN}


def test_every_problem_is_reported_with_line_and_column() -> None:
    with pytest.raises(LatError) as caught:
        read_survey(FIXTURES / "bad.csv", default_time=WHEN)
    message = str(caught.value)
    assert "7 problems; nothing was imported" in message
    assert "line 2, column 5 (A2): '6' is not an answer" in message
    assert "line 3, column 3 (group): 'parent' is not a respondent group" in message
    assert "line 4, column 1 (respondent): respondent is empty" in message
    assert "line 5: the same respondent of school PL-KRK-01 already answered on line 2" in message
    assert "line 6: the row has 5 cells but the header has 6" in message
    assert "line 7, column 4 (A1): '0' is not an answer" in message
    assert "line 7, column 6 (B1): 'strongly agree' is not an answer" in message
    # the raw respondent ids never appear in messages
    assert "r1" not in message.lower().replace("line", "")


def test_header_problems_are_reported_before_rows() -> None:
    with pytest.raises(LatError) as caught:
        read_survey(FIXTURES / "bad_header.csv", default_time=WHEN)
    message = str(caught.value)
    assert "4 problems" in message
    assert "column 4: 'Comments' is not a column of a survey file" in message
    assert "column 5: column A1 appears twice (first as column 3)" in message
    assert "column 6: 'Z1' is not a column" in message
    assert "the header lacks the column(s) group" in message


def test_semicolons_crlf_and_a_timestamp_column() -> None:
    survey = read_survey(FIXTURES / "semicolon_timestamps.csv", default_time=WHEN)
    times = {a.line: a.timestamp for a in survey.answers}
    assert times[2] == datetime(2025, 3, 14, 8, 30, tzinfo=UTC)  # +02:00 -> UTC
    assert times[3] == WHEN  # empty cell: the import's date
    assert [(a.item, a.response) for a in survey.answers if a.line == 3] == [("A1", "3"), ("B2", "na")]


def test_a_byte_order_mark_is_not_part_of_the_first_column() -> None:
    survey = read_survey(FIXTURES / "bom.csv", default_time=WHEN)
    assert [(a.school, a.item, a.response) for a in survey.answers] == [("PL-KRK-01", "A1", "5")]


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(LatError, match="the file is empty"):
        read_survey(empty, default_time=WHEN)
    header_only = tmp_path / "header.csv"
    header_only.write_text("respondent,school,group,A1\n")
    with pytest.raises(LatError, match="no respondents"):
        read_survey(header_only, default_time=WHEN)


def test_unknown_schools_and_an_empty_registry() -> None:
    survey = read_survey(FIXTURES / "unknown_school.csv", default_time=WHEN)
    with pytest.raises(LatError) as caught:
        check_schools(survey, {"PL-KRK-01"})
    message = str(caught.value)
    assert "2 problems" in message
    assert "line 3: school 'PL-XXX-99' is not in the registry" in message
    assert "line 4: school 'PL-XXX-99'" in message
    with pytest.raises(LatError, match="the registry has no schools"):
        check_schools(survey, set())
    check_schools(survey, {"PL-KRK-01", "PL-XXX-99"})  # no error


# --- statements -----------------------------------------------------------------------------


def test_statements_follow_the_profile_and_validate() -> None:
    survey = read_survey(FIXTURES / "good.csv", default_time=WHEN)
    key = b"test-key"
    for answer in survey.answers:
        stmt = answer_statement(answer, pseudonym(key, answer.school, answer.respondent), "2025-spring", hub="PL-MAL")
        assert validate(stmt) is None
        expected = "selfie-answer" if answer.score else "selfie-answer-unscored"
        assert match_template(stmt) is not None and match_template(stmt).endswith(expected)


def test_a_scored_statement_in_detail() -> None:
    survey = read_survey(FIXTURES / "good.csv", default_time=WHEN)
    answer = next(a for a in survey.answers if a.line == 2 and a.item == "Cown2")
    stmt = answer_statement(answer, "p" * 64, "2025-spring")
    assert stmt["actor"] == {"objectType": "Agent", "account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": "p" * 64}}
    assert stmt["verb"]["id"] == vocab.ANSWERED
    assert stmt["object"]["id"] == vocab.SELFIE_ITEM_BASE + "Cown2"
    definition = stmt["object"]["definition"]
    assert definition["type"] == vocab.CMI_INTERACTION
    assert definition["interactionType"] == "likert"
    assert [c["id"] for c in definition["scale"]] == ["1", "2", "3", "4", "5"]
    assert stmt["result"] == {"response": "3", "score": {"raw": 3, "min": 1, "max": 5}}
    parent = stmt["context"]["contextActivities"]["parent"]
    assert parent == [{"objectType": "Activity", "id": vocab.SELFIE_ROUND_BASE + "2025-spring", "definition": {"type": vocab.SURVEY}}]
    assert stmt["context"]["extensions"] == {
        vocab.EXT_SCHOOL: "PL-KRK-01",
        vocab.EXT_ROUND: "2025-spring",
        vocab.EXT_AREA: "C",
        vocab.EXT_ITEM: "Cown2",
        vocab.EXT_GROUP: "teacher",
    }
    assert stmt["timestamp"] == "2025-03-01T09:00:00.000Z"
    assert "anna" not in str(stmt)


def test_unscored_answers_have_no_score() -> None:
    survey = read_survey(FIXTURES / "good.csv", default_time=WHEN)
    answer = next(a for a in survey.answers if a.line == 3 and a.item == "C1")
    assert answer_statement(answer, "p", "r1")["result"] == {"response": "pns"}


def test_statement_ids_cover_the_answer_and_its_time() -> None:
    survey = read_survey(FIXTURES / "good.csv", default_time=WHEN)
    answer = survey.answers[0]
    first = answer_statement(answer, "p", "r1")["id"]
    assert answer_statement(answer, "p", "r1")["id"] == first
    from dataclasses import replace

    assert answer_statement(replace(answer, response="2"), "p", "r1")["id"] != first
    assert answer_statement(replace(answer, timestamp=datetime(2025, 4, 1, tzinfo=UTC)), "p", "r1")["id"] != first
    assert answer_statement(answer, "p", "r2")["id"] != first
    assert answer_statement(answer, "q", "r1")["id"] != first


# --- pseudonyms -----------------------------------------------------------------------------


def test_pseudonyms_are_keyed_stable_and_per_school() -> None:
    a = pseudonym(b"k1", "PL-KRK-01", "anna@school.example")
    assert len(a) == 64 and "anna" not in a
    assert pseudonym(b"k1", "PL-KRK-01", " Anna@School.example ") == a  # blanks and case do not matter
    assert pseudonym(b"k2", "PL-KRK-01", "anna@school.example") != a
    assert pseudonym(b"k1", "PL-KRK-02", "anna@school.example") != a
    # HMAC-SHA256 of "PL-KRK-01\x1fanna@school.example" under key "k1", computed independently
    import hashlib
    import hmac

    assert a == hmac.new(b"k1", b"PL-KRK-01\x1fanna@school.example", hashlib.sha256).hexdigest()


def test_the_key_is_generated_once_with_owner_only_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAT_PSEUDONYM_KEY", raising=False)
    first = pseudonym_key(get_settings())
    path = tmp_path / "home" / "keys" / "pseudonym.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64
    assert pseudonym_key(get_settings()) == first
    monkeypatch.setenv("LAT_PSEUDONYM_KEY", "from-the-environment")
    assert pseudonym_key(get_settings()) == b"from-the-environment"


# --- the command, against a real store ----------------------------------------------------------

LAT = [str(Path(sys.executable).parent / "lat")]


def _lat(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LAT, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A LAT_HOME whose registry has the two schools of the fixtures (hub PL-MAL)."""
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAT_PSEUDONYM_KEY", raising=False)
    with store.session(get_settings()) as con:
        for school in ("PL-KRK-01", "PL-KRK-02"):
            con.execute(
                "INSERT INTO schools (school_id, name, country, hub, level, teachers, students) VALUES (?, ?, 'PL', 'PL-MAL', 'secondary', 40, 400)",
                [school, f"School {school}"],
            )
    return tmp_path / "home"


def _env() -> dict[str, str]:
    return dict(os.environ)


def _answers(home: Path) -> list[tuple[Any, ...]]:
    with store.session(get_settings()) as con:
        return con.execute(
            "SELECT actor_key, school, hub, round, area, item, respondent_group, response, score_raw, "
            "strftime(\"timestamp\" AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), source FROM statements "
            'WHERE verb = ? ORDER BY "timestamp", item',
            [vocab.ANSWERED],
        ).fetchall()


def test_import_stores_pseudonymous_answers(home: Path) -> None:
    done = _lat("import-survey", str(FIXTURES / "good.csv"), "--round", "2025-spring", "--date", "2025-03-01", env=_env())
    assert done.returncode == 0, done.stderr
    assert "3 respondents in 2 schools, 12 answers (7 scores, 3 not applicable, 2 prefer not to say)" in done.stdout
    assert "New or changed answers: 12 (stored 12, duplicates 0, conflicts 0, rejected 0); unchanged since the last import: 0" in done.stdout
    rows = _answers(home)
    assert len(rows) == 12
    key = (home / "keys" / "pseudonym.key").read_text().strip().encode()
    anna = f"{vocab.RESPONDENT_HOMEPAGE}|{pseudonym(key, 'PL-KRK-01', 'anna@school.example')}"
    annas = [r for r in rows if r[0] == anna]
    assert [(r[5], r[6], r[7], r[8]) for r in annas] == [
        ("A1", "teacher", "4", 4.0),
        ("A2", "teacher", "5", 5.0),
        ("C1", "teacher", "na", None),
        ("Cown2", "teacher", "3", 3.0),
    ]
    assert {(r[1], r[2], r[3], r[9]) for r in annas} == {("PL-KRK-01", "PL-MAL", "2025-spring", "2025-03-01 00:00")}
    assert {r[4] for r in annas} == {"A", "C"}
    with store.session(get_settings()) as con:
        raw = " ".join(r[0] for r in con.execute("SELECT CAST(raw AS VARCHAR) FROM statements").fetchall())
    assert "anna" not in raw.lower() and "kowalski" not in raw.lower() and "s-117" not in raw


def test_reimport_changes_nothing_and_a_correction_only_what_changed(home: Path, tmp_path: Path) -> None:
    good = str(FIXTURES / "good.csv")
    assert _lat("import-survey", good, "--round", "r1", "--date", "2025-03-01", env=_env()).returncode == 0
    again = _lat("import-survey", good, "--round", "r1", env=_env())  # another date (now): still nothing new
    assert again.returncode == 0, again.stderr
    assert "New or changed answers: 0 (stored 0" in again.stdout and "unchanged since the last import: 12" in again.stdout
    assert len(_answers(home)) == 12
    corrected = tmp_path / "corrected.csv"
    corrected.write_text((FIXTURES / "good.csv").read_text().replace("teacher,4,5,NA,3", "teacher,2,5,NA,3"))
    fixed = _lat("import-survey", str(corrected), "--round", "r1", "--date", "2025-03-02", env=_env())
    assert fixed.returncode == 0, fixed.stderr
    assert "New or changed answers: 1 (stored 1" in fixed.stdout and "unchanged since the last import: 11" in fixed.stdout
    assert _latest_by_group(home, "PL-KRK-01", "A1") == ["2", "2"]  # Ben (leader) said 2; Anna now 2 too
    # and back to the first answer: a new statement again (A -> B -> A)
    back = _lat("import-survey", good, "--round", "r1", "--date", "2025-03-03", env=_env())
    assert "stored 1" in back.stdout
    assert _latest_by_group(home, "PL-KRK-01", "A1") == ["2", "4"]
    assert len(_answers(home)) == 14


def _latest_by_group(home: Path, school: str, item: str) -> list[str]:
    """Latest answers of ``school`` to ``item``, ordered leader, teacher."""
    with store.session(get_settings()) as con:
        rows = con.execute(
            "SELECT respondent_group, response FROM statements WHERE school = ? AND item = ? "
            'QUALIFY row_number() OVER (PARTITION BY actor_key ORDER BY "timestamp" DESC, stored DESC) = 1 '
            "ORDER BY respondent_group",
            [school, item],
        ).fetchall()
    return [r[1] for r in rows]


def test_a_changed_answer_dated_before_the_stored_one_is_refused(home: Path, tmp_path: Path) -> None:
    assert _lat("import-survey", str(FIXTURES / "good.csv"), "--round", "r1", "--date", "2025-03-10", env=_env()).returncode == 0
    corrected = tmp_path / "corrected.csv"
    corrected.write_text((FIXTURES / "good.csv").read_text().replace("teacher,4,5,NA,3", "teacher,2,5,NA,3"))
    late = _lat("import-survey", str(corrected), "--round", "r1", "--date", "2025-03-01", env=_env())
    assert late.returncode == 1
    assert "line 2, column 4 (A1): the answer changed, but its time 2025-03-01T00:00:00.000Z is before" in late.stderr
    assert "Traceback" not in late.stderr
    assert len(_answers(home)) == 12


def test_a_bad_file_imports_nothing(home: Path) -> None:
    done = _lat("import-survey", str(FIXTURES / "bad.csv"), "--round", "r1", env=_env())
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ")
    assert "7 problems; nothing was imported" in done.stderr
    assert "Traceback" not in done.stderr
    assert _answers(home) == []


def test_unknown_schools_and_an_empty_registry_import_nothing(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = _lat("import-survey", str(FIXTURES / "unknown_school.csv"), "--round", "r1", env=_env())
    assert done.returncode == 1
    assert "line 3: school 'PL-XXX-99' is not in the registry" in done.stderr
    assert _answers(home) == []
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "empty-home"))
    empty = _lat("import-survey", str(FIXTURES / "good.csv"), "--round", "r1", env=_env())
    assert empty.returncode == 1
    assert "the registry has no schools" in empty.stderr


def test_usage_mistakes(home: Path) -> None:
    no_round = _lat("import-survey", str(FIXTURES / "good.csv"), env=_env())
    assert no_round.returncode == 2
    bad_date = _lat("import-survey", str(FIXTURES / "good.csv"), "--round", "r1", "--date", "yesterday", env=_env())
    assert bad_date.returncode == 1 and "--date 'yesterday' is not an ISO 8601" in bad_date.stderr
    missing = _lat("import-survey", "nope.csv", "--round", "r1", env=_env())
    assert missing.returncode == 1 and "nope.csv: no such file" in missing.stderr
