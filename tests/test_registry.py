"""The registry import: validation with file/line/column, all-or-nothing writes, re-import, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lat.config import get_settings
from lat.errors import LatError
from lat.registry import organisation as registry
from lat.store import database as store
from lat.xapi.fields import normalise_actor

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"
GOOD = FIXTURES / "good"
LAT = Path(sys.executable).parent / "lat"  # the installed console script


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def con(home: Path) -> duckdb.DuckDBPyConnection:
    connection = store.connect(get_settings())
    yield connection
    connection.close()


def bad_dir(tmp_path: Path, case: str) -> Path:
    """The good registry with the files of one bad case laid over it."""
    target = tmp_path / case
    shutil.copytree(GOOD, target)
    for path in (FIXTURES / case).iterdir():
        shutil.copy(path, target / path.name)
    return target


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# --- good import ---------------------------------------------------------------------------


def test_good_import_stores_every_table(con: duckdb.DuckDBPyConnection) -> None:
    result = registry.import_dir(con, GOOD)

    assert result.counts == {"countries": 3, "hubs": 3, "schools": 4, "people": 5, "mentoring": 3}
    assert rows(con, "SELECT * FROM hubs ORDER BY hub_id") == [
        ("ee-tallinn", "Tallinn hub", "EE"),
        ("fi-oulu", "Oulu hub", "FI"),
        ("no-oslo", "Oslo hub", "NO"),
    ]
    # quoted comma kept; level lower-cased; language defaulted from the country (NO: none)
    assert rows(con, "SELECT * FROM schools ORDER BY school_id") == [
        ("ee-s1", "Kesklinna Kool", "EE", "ee-tallinn", "primary", 40, 520, "et"),
        ("ee-s2", "Mere Gümnaasium, Tallinn", "EE", "ee-tallinn", "secondary", 65, 900, "en"),
        ("fi-s1", "Oulun koulu", "FI", "fi-oulu", "vet", 30, 410, "fi"),
        ("no-s1", "Oslo skole", "NO", "no-oslo", "primary", 22, 250, None),
    ]
    # actors normalised as lat.xapi.fields.actor_key writes them
    assert rows(con, "SELECT * FROM people ORDER BY person_id") == [
        ("p-lead-1", "ee-s1", "leader", "mailto:mari.tamm@kool.ee"),
        ("p-mentor-1", None, "mentor", "https://id.example.org/people/kalle"),
        ("p-teach-1", "ee-s1", "teacher", "https://moodle.example.org|mtamm"),
        ("p-teach-2", "ee-s2", "teacher", "sha1:abcdef0123456789abcdef0123456789abcdef01"),
        ("p-teach-3", "fi-s1", "teacher", None),
    ]
    assert rows(con, "SELECT * FROM mentoring ORDER BY start") == [
        ("p-mentor-1", "ee-s1", date(2025, 9, 1), None),
        ("ee-s2", "ee-s1", date(2025, 9, 15), date(2026, 6, 15)),
        ("p-mentor-1", "fi-s1", date(2025, 10, 1), None),
    ]


def test_reimport_updates_in_place_and_removes_absent_rows(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, GOOD)
    result = registry.import_dir(con, FIXTURES / "updated")

    assert result.counts == {"countries": 2, "hubs": 2, "schools": 3, "people": 3, "mentoring": 1}
    assert rows(con, "SELECT * FROM countries ORDER BY country_id") == [("EE", "Eesti"), ("FI", "Finland")]
    assert rows(con, "SELECT hub_id FROM hubs ORDER BY hub_id") == [("ee-tallinn",), ("fi-oulu",)]
    # no language column this time: defaults from the country again (ee-s2 had 'en')
    assert rows(con, "SELECT school_id, name, teachers, students, language FROM schools ORDER BY school_id") == [
        ("ee-s1", "Kesklinna Põhikool", 42, 530, "et"),
        ("ee-s2", "Mere Gümnaasium, Tallinn", 65, 900, "et"),
        ("fi-s1", "Oulun koulu", 30, 410, "fi"),
    ]
    assert rows(con, "SELECT person_id, school FROM people ORDER BY person_id") == [
        ("p-lead-1", "ee-s1"),
        ("p-mentor-1", None),
        ("p-teach-1", "ee-s2"),
    ]
    assert rows(con, "SELECT * FROM mentoring") == [("p-mentor-1", "fi-s1", date(2025, 10, 1), date(2026, 1, 31))]


def test_optional_files_may_be_absent_and_then_empty_their_tables(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, GOOD)
    minimal = tmp_path / "minimal"
    minimal.mkdir()
    for name in ("countries.csv", "hubs.csv", "schools.csv"):
        shutil.copy(GOOD / name, minimal / name)

    result = registry.import_dir(con, minimal)

    assert result.counts == {"countries": 3, "hubs": 3, "schools": 4, "people": 0, "mentoring": 0}
    assert rows(con, "SELECT count(*) FROM people") == [(0,)]
    assert rows(con, "SELECT count(*) FROM mentoring") == [(0,)]


def test_csv_from_a_spreadsheet_bom_crlf_header_case_blank_lines(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    directory = tmp_path / "excel"
    shutil.copytree(GOOD, directory)
    (directory / "countries.csv").write_bytes("\ufeffCountry_ID , Name\r\nEE,Estonia\r\n\r\nFI,Finland\r\nNO,Norway\r\n".encode())

    registry.import_dir(con, directory)

    assert rows(con, "SELECT * FROM countries ORDER BY 1") == [("EE", "Estonia"), ("FI", "Finland"), ("NO", "Norway")]


# --- every error kind, with file, line and column; nothing stored --------------------------

CASES = {
    "bad-unknown-hub": "schools.csv:3: column 'hub': unknown hub 'ee-tartu' (not in hubs.csv)",
    "bad-unknown-country": "hubs.csv:4: column 'country': unknown country 'SE' (not in countries.csv)",
    "bad-duplicate-id": "schools.csv:4: column 'school_id': duplicate id 'ee-s1' (first on line 2)",
    "bad-hub-other-country": "schools.csv:5: column 'hub': hub 'no-oslo' is in country 'NO', but the school is in 'FI'",
    "bad-number": "schools.csv:2: column 'teachers': 'forty' is not a head count",
    "bad-level": "schools.csv:3: column 'level': 'university' is not one of primary, secondary, vet",
    "bad-role": "people.csv:3: column 'role': 'pupil' is not one of leader, teacher, student, mentor, coordinator",
    "bad-unknown-mentee": "mentoring.csv:3: column 'mentee_school': unknown mentee school 'ee-s9' (not in schools.csv)",
    "bad-missing-column": "hubs.csv:1: column 'country': missing column",
    "bad-date": "mentoring.csv:4: column 'start': '01.10.2025' is not a date YYYY-MM-DD",
    "bad-actor": "people.csv:5: column 'actor': 'teppo@koulu.fi' is not an xAPI actor",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_names_file_line_column_and_nothing_is_stored(case: str, tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(registry.RegistryInvalid) as caught:
        registry.import_dir(con, bad_dir(tmp_path, case))

    assert len(caught.value.issues) == 1, str(caught.value)
    assert CASES[case] in str(caught.value)
    assert str(tmp_path / case) in str(caught.value.issues[0].file)
    for table in registry.TABLES:
        assert rows(con, f"SELECT count(*) FROM {table}") == [(0,)]


def test_all_problems_of_all_files_are_reported_together(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, GOOD)
    with pytest.raises(registry.RegistryInvalid) as caught:
        registry.import_dir(con, bad_dir(tmp_path, "bad-many"))

    found = [(i.file.name, i.line, i.column) for i in caught.value.issues]
    assert found == [
        ("schools.csv", 2, "students"),  # -5
        ("schools.csv", 3, "language"),  # english
        ("schools.csv", 5, "name"),  # empty
        ("mentoring.csv", 2, "end"),  # before start
        ("mentoring.csv", 3, "mentor"),  # nobody
    ]
    assert "has 5 problems; nothing was imported" in str(caught.value)
    # the earlier import is intact: nothing half-imported
    assert rows(con, "SELECT count(*) FROM schools") == [(4,)]
    assert rows(con, "SELECT name FROM schools WHERE school_id = 'no-s1'") == [("Oslo skole",)]
    assert rows(con, "SELECT count(*) FROM mentoring") == [(3,)]


def test_missing_required_file_and_directory(tmp_path: Path) -> None:
    directory = tmp_path / "no-schools"
    shutil.copytree(GOOD, directory)
    (directory / "schools.csv").unlink()
    with pytest.raises(registry.RegistryInvalid) as caught:
        registry.load(directory)
    assert [str(i) for i in caught.value.issues] == [f"{directory / 'schools.csv'}: file is missing (every registry needs schools.csv)"]
    with pytest.raises(LatError, match="does not exist"):
        registry.load(tmp_path / "nowhere")


def test_rows_with_wrong_value_count_and_non_utf8(tmp_path: Path) -> None:
    directory = tmp_path / "ragged"
    shutil.copytree(GOOD, directory)
    (directory / "countries.csv").write_text("country_id,name\nEE,Estonia,extra\nFI,Finland\nNO,Norway\n")
    (directory / "hubs.csv").write_bytes("hub_id,name,country\nee-tallinn,Tall\xf5nn,EE\n".encode("latin-1"))
    with pytest.raises(registry.RegistryInvalid) as caught:
        registry.load(directory)
    messages = [str(i) for i in caught.value.issues]
    assert messages[0] == f"{directory / 'countries.csv'}:2: has 3 values but the header has 2 columns"
    assert messages[1].startswith(f"{directory / 'hubs.csv'}: is not UTF-8 text")
    # EE's row was rejected, so the schools in EE point at an unknown country
    assert f"{directory / 'schools.csv'}:2: column 'country': unknown country 'EE' (not in countries.csv)" in messages


def test_person_and_mentoring_rules(tmp_path: Path) -> None:
    directory = tmp_path / "rules"
    shutil.copytree(GOOD, directory)
    (directory / "people.csv").write_text(
        "person_id,school,role,actor\n"
        "t1,,teacher,mailto:a@x.org\n"  # a teacher needs a school
        "m1,,mentor,MAILTO:A@X.ORG\n"  # same actor as line 2 once normalised
        "ee-s1,ee-s1,leader,\n"  # person_id clashes with a school_id
    )
    (directory / "mentoring.csv").write_text(
        "mentor,mentee_school,start,end\nee-s1,ee-s1,2025-09-01,\nm1,ee-s1,2025-02-30,\nm1,fi-s1,2025-09-01,\nm1,fi-s1,2025-09-01,\n"
    )
    with pytest.raises(registry.RegistryInvalid) as caught:
        registry.load(directory)
    assert [(i.file.name, i.line, i.column) for i in caught.value.issues] == [
        ("people.csv", 4, "person_id"),
        ("people.csv", 2, "school"),
        ("people.csv", 3, "actor"),
        ("mentoring.csv", 2, "mentee_school"),
        ("mentoring.csv", 3, "start"),
        ("mentoring.csv", 5, "mentor"),
    ]
    assert "actor 'mailto:a@x.org' is already person on line 2" in str(caught.value)
    assert "school 'ee-s1' cannot mentor itself" in str(caught.value)
    assert "duplicate pair (same mentor, mentee school and start as line 4)" in str(caught.value)


# --- actor normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("mailto:Jaan.Tamm@Kool.EE", "mailto:jaan.tamm@kool.ee"),
        ("  MAILTO:x@Y.org ", "mailto:x@y.org"),
        ("sha1:ABCDEF0123456789ABCDEF0123456789ABCDEF01", "sha1:abcdef0123456789abcdef0123456789abcdef01"),
        ("https://lms.example.org|Account-Name", "https://lms.example.org|Account-Name"),
        ("https://openid.example.org/Jaan", "https://openid.example.org/Jaan"),
    ],
)
def test_normalise_actor_matches_flatten_actor_key(given: str, key: str) -> None:
    assert normalise_actor(given) == key


@pytest.mark.parametrize("given", ["jaan@kool.ee", "mailto:", "sha1:1234", "lms|name", "https://lms.example.org|", "jaan"])
def test_normalise_actor_rejects_what_no_statement_could_carry(given: str) -> None:
    with pytest.raises(ValueError):
        normalise_actor(given)


# --- CLI -----------------------------------------------------------------------------------


def lat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAT), *args], capture_output=True, text=True, timeout=120)


def test_cli_import_show_and_errors(home: Path, tmp_path: Path) -> None:
    ok = lat("registry", "import", str(GOOD))
    assert ok.returncode == 0, ok.stderr
    assert "3 countries, 3 hubs, 4 schools, 5 people, 3 mentoring" in ok.stdout

    shown = lat("registry", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    overview = json.loads(shown.stdout)
    assert overview["tables"] == {"countries": 3, "hubs": 3, "schools": 4, "people": 5, "mentoring": 3}
    assert overview["hubs"] == [
        {"hub_id": "ee-tallinn", "name": "Tallinn hub", "country": "EE", "schools": 2, "teachers": 105, "mentoring_pairs": 2},
        {"hub_id": "fi-oulu", "name": "Oulu hub", "country": "FI", "schools": 1, "teachers": 30, "mentoring_pairs": 1},
        {"hub_id": "no-oslo", "name": "Oslo hub", "country": "NO", "schools": 1, "teachers": 22, "mentoring_pairs": 0},
    ]
    table = lat("registry", "show")
    assert table.returncode == 0
    assert "ee-tallinn  Tallinn hub  EE             2       105                2" in table.stdout

    bad = lat("registry", "import", str(bad_dir(tmp_path, "bad-many")))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "schools.csv:2: column 'students': '-5' is not a head count" in bad.stderr
    assert "mentoring.csv:3: column 'mentor': unknown mentor" in bad.stderr

    checked = lat("registry", "import", "--check", str(FIXTURES / "updated"))
    assert checked.returncode == 0 and "nothing stored" in checked.stdout
    assert json.loads(lat("registry", "show", "--json").stdout)["tables"]["schools"] == 4

    assert lat("registry", "import").returncode == 2  # DIR missing: usage error


def test_cli_show_without_a_store_is_a_clear_error(home: Path) -> None:
    result = lat("registry", "show")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: No store at")
