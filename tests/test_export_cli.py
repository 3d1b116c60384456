"""``lat export`` end to end, as a real process on a real store (two sample hubs plus a
hand-made survey CSV whose respondents are e-mails and names)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from pycanon import anonymity

from export_support import SAMPLE, SURVEY_ROUND, build_store, survey_respondents
from lat.access import audit
from lat.access.policy import AccessDenied, DataAccess
from lat.access.roles import RESEARCHER, SCHOOL_HEAD, User
from lat.config import Settings
from lat.export import build_zip

KEY_A = "a-long-export-key-for-the-tests-0001"
KEY_B = "another-export-key-for-the-tests-0002"
LAT = [str(Path(sys.executable).parent / "lat")]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("export-home")
    build_store(home)
    return home


def run(home: Path, *args: str, key: str | None = KEY_A) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAT_")}
    env["LAT_HOME"] = str(home)
    if key is not None:
        env["LAT_EXPORT_KEY"] = key
    return subprocess.run([*LAT, "export", *args], capture_output=True, text=True, env=env, timeout=300)


def export(home: Path, out: Path, *args: str, key: str = KEY_A) -> dict:
    result = run(home, "--out", str(out), *args, key=key)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def read(path: Path) -> pd.DataFrame:
    frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path, infer_schema_length=0)
    return frame.to_pandas()


def direct_identifiers() -> set[str]:
    """Every direct identifier of the source: school ids and names, person ids, actors
    (e-mails and account names), and the raw respondent ids of the imported survey CSV."""
    found: set[str] = set(survey_respondents())
    with (SAMPLE / "registry" / "schools.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found |= {row["school_id"], row["name"]}
    with (SAMPLE / "registry" / "people.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.add(row["person_id"])
            if row["actor"]:
                actor = row["actor"]
                found |= {actor, actor.removeprefix("mailto:")}
    return {value for value in found if value}


def account_names() -> set[str]:
    """The names of LMS accounts (``homepage|name``); Moodle's are short numbers, so they are
    looked for as whole CSV cells, not as substrings."""
    with (SAMPLE / "registry" / "people.csv").open(encoding="utf-8") as handle:
        return {row["actor"].split("|")[-1] for row in csv.DictReader(handle) if "|" in row["actor"]}


@pytest.mark.parametrize("level", ["answers", "respondents", "schools"])
def test_every_file_is_k_anonymous_by_an_independent_check(home: Path, tmp_path: Path, level: str) -> None:
    manifest = export(home, tmp_path / "out", "--level", level, "--k", "5")
    for relative, entry in manifest["files"].items():
        frame = read(tmp_path / "out" / relative)
        assert len(frame) == entry["rows"] > 0
        assert entry["k"] == 5
        assert anonymity.k_anonymity(frame, entry["quasi_identifiers"]) >= 5
        if "respondent" in frame.columns:  # k counts people, not their many answer rows
            people = frame.drop_duplicates(["respondent", "round"])
            assert anonymity.k_anonymity(people, entry["quasi_identifiers"]) >= 5


def test_no_direct_identifier_leaves(home: Path, tmp_path: Path) -> None:
    identifiers = direct_identifiers()
    assert "anna.tamm@kool.example.ee" in identifiers and "ee-s01001" in identifiers
    for level, fmt in (("answers", "csv"), ("respondents", "csv"), ("schools", "csv"), ("answers", "parquet")):
        out = tmp_path / f"{level}-{fmt}"
        export(home, out, "--level", level, "--format", fmt)
        for path in out.rglob("*"):
            if path.is_file():
                text = path.read_bytes().decode("utf-8", errors="replace").casefold()
                leaked = sorted(value for value in identifiers if value.casefold() in text)
                assert not leaked, f"{path.relative_to(out)} holds {leaked[:5]}"
                assert KEY_A not in text
        if fmt == "csv":  # account names as cells of any column but the answers' own scale values
            frame = pl.read_csv(out / "data" / f"{level}.csv", infer_schema_length=0)
            ids = frame.select(c for c in frame.columns if c in ("respondent", "school"))
            cells = set(ids.unpivot()["value"].drop_nulls().to_list()) if ids.width else set()
            assert not cells & account_names()


def test_same_key_same_files_other_key_other_pseudonyms(home: Path, tmp_path: Path) -> None:
    first = export(home, tmp_path / "one")
    again = export(home, tmp_path / "two")
    other = export(home, tmp_path / "three", key=KEY_B)
    data = "data/answers.parquet"
    assert (tmp_path / "one" / data).read_bytes() == (tmp_path / "two" / data).read_bytes()
    assert first["files"][data]["sha256"] == again["files"][data]["sha256"] != other["files"][data]["sha256"]
    one, three = read(tmp_path / "one" / data), read(tmp_path / "three" / data)
    assert set(one["respondent"]).isdisjoint(three["respondent"])
    assert set(one["school"]).isdisjoint(three["school"])


def test_manifest_hashes_rows_and_codebook_match_the_files(home: Path, tmp_path: Path) -> None:
    manifest = export(home, tmp_path / "out", "--level", "respondents", "--format", "csv")
    codebook = json.loads((tmp_path / "out" / "codebook.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {"level": "respondents", "k": 5, "format": "csv", "dp_epsilon": None, "min_cell_size": 5}
    for relative, entry in manifest["files"].items():
        path = tmp_path / "out" / relative
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert list(codebook[relative]) == header
        assert all(codebook[relative][c]["meaning"] for c in header)
    assert (tmp_path / "out" / "README.md").read_text(encoding="utf-8").startswith("# LAT research export")
    assert "`mean_A`" in (tmp_path / "out" / "codebook.md").read_text(encoding="utf-8")


def test_schools_level_means_and_small_cells_hand_computed(home: Path, tmp_path: Path) -> None:
    """The CSV's school: teachers' means 4,3,5,4,2,4 and students' 3,4,5,2,1 (see the fixture)."""
    export(home, tmp_path / "out", "--level", "schools", "--format", "csv")
    frame = pl.read_csv(tmp_path / "out" / "data" / "schools.csv").filter(pl.col("round") == SURVEY_ROUND)
    row = frame.row(0, named=True)
    assert frame.height == 1
    assert row["respondents"] == 11
    assert row["overall_mean"] == pytest.approx(37 / 11)
    assert (row["A_teacher_n"], row["A_teacher_mean"]) == (6, pytest.approx(22 / 6))
    assert (row["B_teacher_n"], row["B_teacher_mean"]) == (5, pytest.approx(18 / 5))
    assert (row["B_student_n"], row["B_student_mean"]) == (5, pytest.approx(3.0))
    assert row["A_student_n"] is None and row["A_student_mean"] is None  # no student answered A
    assert row["A_leader_n"] is None  # no leader at all
    assert row["mentored"] == "no" and row["meetings"] is None


def test_stdout_reports_information_lost_and_the_export_is_audited(home: Path, tmp_path: Path) -> None:
    result = run(home, "--out", str(tmp_path / "out"), "--level", "answers")
    assert result.returncode == 0, result.stderr
    assert "rows_suppressed" in result.stdout and "cells_generalised" in result.stdout
    entries = audit.read(Settings(home=home), action=audit.EXPORT)
    assert entries[-1].target == "research-export:answers"
    assert entries[-1].actor.startswith("cli:")
    assert entries[-1].detail["k"] == 5 and entries[-1].detail["rows"]["data/answers.parquet"] > 0


def test_dp_epsilon_is_stated_and_noise_keeps_the_scale(home: Path, tmp_path: Path) -> None:
    manifest = export(home, tmp_path / "out", "--level", "schools", "--dp-epsilon", "2")
    assert manifest["privacy"]["differential_privacy"]["epsilon"] == 2.0
    assert manifest["privacy"]["differential_privacy"]["releases_per_respondent"] == 18
    means = pl.read_parquet(tmp_path / "out" / "data" / "schools.parquet").select(pl.col("^.*_mean$"))
    values = means.unpivot()["value"].drop_nulls()
    assert values.len() > 0 and values.min() >= 1 and values.max() <= 5


@pytest.mark.parametrize(
    ("args", "key", "code", "message"),
    [
        ((), None, 1, "LAT_EXPORT_KEY"),
        (("--k", "1"), KEY_A, 1, "k must be at least 2"),
        (("--level", "people"), KEY_A, 2, "'people' is not one of"),
        (("--format", "xlsx"), KEY_A, 2, "'xlsx' is not one of"),
        (("--dp-epsilon", "1"), KEY_A, 1, "use it with --level schools"),
        (("--level", "schools", "--dp-epsilon", "0"), KEY_A, 1, "greater than 0"),
    ],
)
def test_cli_errors(home: Path, tmp_path: Path, args: tuple[str, ...], key: str | None, code: int, message: str) -> None:
    result = run(home, "--out", str(tmp_path / "out"), *args, key=key)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_folder_that_is_not_empty(home: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine", encoding="utf-8")
    result = run(home, "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "not an empty folder" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_build_zip_for_researchers_only(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAT_EXPORT_KEY", KEY_A)
    settings = Settings(home=home)
    data = build_zip(DataAccess(User("rita", RESEARCHER), settings), k=5, level="schools", fmt="csv")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == ["README.md", "codebook.json", "codebook.md", "data/schools.csv", "manifest.json"]
    assert audit.read(settings, action=audit.EXPORT)[-1].detail["destination"] == "zip download"
    with pytest.raises(AccessDenied):
        build_zip(DataAccess(User("sam", SCHOOL_HEAD, schools=("ee-s01001",)), settings), k=5, level="schools", fmt="csv")
    assert audit.read(settings, action=audit.ACCESS_DENIED)[-1].actor == "sam"
