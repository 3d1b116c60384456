"""``lat sample``: deterministic, consistent, realistic, and every statement follows the profile."""

from __future__ import annotations

import csv
import gzip
import hashlib
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from statistics import mean, median
from typing import Any

import orjson
import pytest

from lat.errors import LatError
from lat.sample import generate
from lat.xapi import vocab
from lat.xapi.fields import actor_key
from lat.xapi.profile import match_template

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "sample"
LAT = Path(sys.executable).with_name("lat")
EXT = vocab.EXT


def _hashes(root: Path) -> dict[str, str]:
    """Hashes of what ``lat sample`` owns: registry/ and statements/ (other files may sit beside them)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for part in ("registry", "statements")
        for p in sorted((root / part).rglob("*"))
        if p.is_file()
    }


def _csv(root: Path, name: str) -> list[dict[str, str]]:
    with (root / "registry" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default pilot sample, made by the real command in a real process."""
    out = tmp_path_factory.mktemp("pilot")
    run = subprocess.run([str(LAT), "sample", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "75 schools" in run.stdout and "statements in 20 files" in run.stdout
    return out


@pytest.fixture(scope="module")
def statements(pilot: Path) -> dict[str, list[dict[str, Any]]]:
    """Every statement of the pilot sample, by file name."""
    return {p.name: [orjson.loads(line) for line in gzip.open(p, "rb")] for p in sorted((pilot / "statements").glob("*.ndjson.gz"))}


def _answers(statements: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        s
        for name, rows in statements.items()
        if name.endswith("-surveys.ndjson.gz")
        for s in rows
        if s["object"]["definition"]["type"] == vocab.CMI_INTERACTION
    ]


# --- determinism ---------------------------------------------------------------------------


def test_the_committed_sample_is_what_lat_sample_writes(pilot: Path) -> None:
    hashes = _hashes(pilot)
    assert len(hashes) == 25  # 5 registry CSVs, 4 statement files per hub
    assert hashes == _hashes(COMMITTED)


def test_same_seed_same_bytes_whatever_the_number_of_workers(pilot: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale="pilot", seed=1, workers=1)
    assert _hashes(tmp_path) == _hashes(pilot)


def test_a_different_seed_gives_different_data(pilot: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale="pilot", seed=2, workers=2)
    ours, theirs = _hashes(tmp_path), _hashes(pilot)
    assert ours.keys() == theirs.keys()
    assert ours["registry/schools.csv"] != theirs["registry/schools.csv"]
    assert all(ours[f] != theirs[f] for f in ours if f.startswith("statements/"))


def test_gzip_members_carry_no_time_and_no_name(pilot: Path) -> None:
    for path in (pilot / "statements").glob("*.gz"):
        header = path.read_bytes()[:10]
        assert header[3] == 0, "no FNAME flag"  # flags
        assert header[4:8] == b"\0\0\0\0", "mtime 0"


def test_a_rerun_replaces_older_files(tmp_path: Path) -> None:
    stale = tmp_path / "statements" / "hub-xx-99-lms.ndjson.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not ours")
    generate(tmp_path, scale="pilot", seed=3, workers=2)
    assert not stale.exists()
    assert (tmp_path / "keep.txt").read_text() == "not ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "registry", "statements"]


def test_bad_arguments_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(LatError, match="Unknown scale 'huge'"):
        generate(tmp_path, scale="huge")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(LatError, match="is a file"):
        generate(a_file)
    run = subprocess.run([str(LAT), "sample", "--out", str(a_file / "sub")], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("Error: Cannot write the sample to") and "Traceback" not in run.stderr
    run = subprocess.run([str(LAT), "sample", "--out", str(tmp_path), "--scale", "huge"], capture_output=True, text=True)
    assert run.returncode == 2


# --- the registry ----------------------------------------------------------------------------


def test_registry_is_consistent(pilot: Path) -> None:
    countries = {r["country_id"]: r["name"] for r in _csv(pilot, "countries")}
    assert countries == {"EE": "Estonia", "FI": "Finland", "LT": "Lithuania", "GE": "Georgia", "PL": "Poland"}
    hubs = {r["hub_id"]: r for r in _csv(pilot, "hubs")}
    assert len(hubs) == 5 and {h["country"] for h in hubs.values()} == set(countries)
    schools = {r["school_id"]: r for r in _csv(pilot, "schools")}
    per_hub: dict[str, int] = defaultdict(int)
    for school in schools.values():
        per_hub[school["hub"]] += 1
        assert school["country"] == hubs[school["hub"]]["country"]
        assert school["level"] in vocab.SCHOOL_LEVELS
        assert int(school["teachers"]) > 0 and int(school["students"]) > 0
    assert per_hub == {hub: 15 for hub in hubs}


def test_people_belong_to_schools_and_actors_are_unique(pilot: Path) -> None:
    schools = {r["school_id"] for r in _csv(pilot, "schools")}
    people = _csv(pilot, "people")
    roles: dict[str, int] = defaultdict(int)
    for person in people:
        roles[person["role"]] += 1
        if person["role"] == "coordinator":
            assert person["school"] == ""
        else:
            assert person["school"] in schools
        assert person["actor"].startswith("mailto:") or person["actor"].startswith("https://moodle.")
    assert len({p["actor"] for p in people}) == len(people)
    assert len({p["person_id"] for p in people}) == len(people)
    assert 550 <= roles["teacher"] <= 650, roles  # about 600 teachers, as in iHub4Schools
    assert roles["coordinator"] == 5 and roles["leader"] >= 150 and roles["mentor"] >= 15 and roles["student"] >= 500


def test_mentoring_refers_to_existing_mentors_and_schools(pilot: Path) -> None:
    schools = {r["school_id"]: r["hub"] for r in _csv(pilot, "schools")}
    people = {r["person_id"]: r for r in _csv(pilot, "people")}
    pairs = _csv(pilot, "mentoring")
    assert len(pairs) == 40  # 8 mentee schools per hub
    kinds = set()
    for pair in pairs:
        mentee_hub = schools[pair["mentee_school"]]
        if pair["mentor"] in people:
            kinds.add("person")
            mentor = people[pair["mentor"]]
            assert mentor["role"] == "mentor" and schools[mentor["school"]] == mentee_hub
        else:
            kinds.add("school")
            assert schools[pair["mentor"]] == mentee_hub
        assert "2025-10-01" <= pair["start"] < pair["end"] == "2026-06-19"
    assert kinds == {"person", "school"}
    mentored = {p["mentee_school"] for p in pairs}
    assert len(mentored) == 40 and len(schools) - len(mentored) >= 30  # mentors' schools and a comparison group


# --- the statements ----------------------------------------------------------------------------


def test_every_statement_follows_a_profile_template(statements: dict[str, list[dict[str, Any]]]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for rows in statements.values():
        for stmt in rows:
            template = match_template(stmt)
            assert template is not None, stmt
            counts[template.removeprefix(f"{vocab.PROFILE}/templates/")] += 1
    assert set(counts) == {
        "selfie-answer",
        "selfie-answer-unscored",
        "digcompedu-self-assessment",
        "mentoring-meeting",
        "goal-set",
        "goal-achieved",
        "action-step-planned",
        "action-step-completed",
        "lesson-observed",
        "micro-credential-earned",
        "lms-viewed",
        "lms-submitted",
        "lms-completed",
    }
    assert 100_000 <= sum(counts.values()) <= 200_000


def test_a_sample_of_statements_is_valid_xapi_1_0_3(statements: dict[str, list[dict[str, Any]]]) -> None:
    from lat.xapi.validation import validate

    for name, rows in statements.items():
        for stmt in rows[:: max(1, len(rows) // 400)]:
            assert validate(stmt, version="1.0.3") is None, (name, validate(stmt, version="1.0.3"))


def test_ids_timestamps_and_actors_follow_the_sources(pilot: Path, statements: dict[str, list[dict[str, Any]]]) -> None:
    lms_accounts = {p["actor"] for p in _csv(pilot, "people") if p["actor"].startswith("https://moodle.")}
    ids = []
    for name, rows in statements.items():
        for stmt in rows:
            assert stmt["timestamp"] >= "2025-09-01"
            if name.endswith("-lms.ndjson.gz"):
                assert "id" not in stmt  # like real Moodle output: the ingest derives ids
                assert actor_key(stmt["actor"]) in lms_accounts
                assert stmt["context"]["contextActivities"]["category"][0]["definition"]["type"] == vocab.LMS_SITE
            else:
                ids.append(stmt["id"])
            if name.endswith("-surveys.ndjson.gz"):
                assert set(stmt["actor"]) == {"objectType", "account"}
                assert stmt["actor"]["account"]["homePage"] == vocab.RESPONDENT_HOMEPAGE
    assert len(ids) == len(set(ids))


def test_survey_covers_both_rounds_all_areas_and_the_non_scores(statements: dict[str, list[dict[str, Any]]]) -> None:
    answers = _answers(statements)
    ext = [a["context"]["extensions"] for a in answers]
    assert {e[vocab.EXT_ROUND] for e in ext} == {"2025-autumn", "2026-spring"}
    assert {e[vocab.EXT_AREA] for e in ext} == set("ABCDEFGH")
    student_areas = {e[vocab.EXT_AREA] for e in ext if e[vocab.EXT_GROUP] == "student"}
    assert "A" not in student_areas and "D" not in student_areas and "H" in student_areas
    responses = defaultdict(int)
    for a in answers:
        responses[a["result"]["response"]] += 1
    assert set(responses) == {"1", "2", "3", "4", "5", "na", "pns"}
    assert 0.01 < (responses["na"] + responses["pns"]) / len(answers) < 0.1
    autumn = [a["timestamp"] for a, e in zip(answers, ext, strict=True) if e[vocab.EXT_ROUND] == "2025-autumn"]
    spring = [a["timestamp"] for a, e in zip(answers, ext, strict=True) if e[vocab.EXT_ROUND] == "2026-spring"]
    assert "2025-09-15" <= min(autumn) and max(autumn) < "2025-11-01"
    assert "2026-05-01" <= min(spring) and max(spring) < "2026-06-01"


def test_digcompedu_self_assessments_cover_22_competences(statements: dict[str, list[dict[str, Any]]]) -> None:
    rows = [s for name, r in statements.items() if name.endswith("-surveys.ndjson.gz") for s in r if s["object"]["definition"]["type"] == vocab.COMPETENCE]
    competences = {s["object"]["id"].removeprefix(vocab.COMPETENCE_BASE) for s in rows}
    assert len(competences) == 22 and {c.split(".")[0] for c in competences} == set("123456")
    assert {s["result"]["response"] for s in rows} <= set(vocab.DIGCOMP_LEVELS)
    assert {s["context"]["extensions"][vocab.EXT_ROUND] for s in rows} == {"2025-autumn", "2026-spring"}


def test_leaders_rate_their_school_higher_than_teachers(statements: dict[str, list[dict[str, Any]]]) -> None:
    scores: dict[str, list[int]] = defaultdict(list)
    for a in _answers(statements):
        if "score" in a["result"]:
            scores[a["context"]["extensions"][vocab.EXT_GROUP]].append(a["result"]["score"]["raw"])
    assert mean(scores["leader"]) > mean(scores["teacher"]) + 0.2


def test_mentored_schools_improve_more_than_the_rest(pilot: Path, statements: dict[str, list[dict[str, Any]]]) -> None:
    mentored = {p["mentee_school"] for p in _csv(pilot, "mentoring")}
    by_school: dict[tuple[str, str], list[int]] = defaultdict(list)
    for a in _answers(statements):
        if "score" in a["result"]:
            e = a["context"]["extensions"]
            by_school[(e[vocab.EXT_SCHOOL], e[vocab.EXT_ROUND])].append(a["result"]["score"]["raw"])
    change = {school: mean(by_school[(school, "2026-spring")]) - mean(by_school[(school, "2025-autumn")]) for school, _ in by_school}
    gain_mentored = mean(v for s, v in change.items() if s in mentored)
    gain_rest = mean(v for s, v in change.items() if s not in mentored)
    assert gain_mentored > gain_rest + 0.15, (gain_mentored, gain_rest)


def test_some_respondent_groups_are_too_small_to_show(statements: dict[str, list[dict[str, Any]]]) -> None:
    respondents: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a in _answers(statements):
        e = a["context"]["extensions"]
        respondents[(e[vocab.EXT_SCHOOL], e[vocab.EXT_ROUND], e[vocab.EXT_GROUP])].add(a["actor"]["account"]["name"])
    sizes = [len(v) for v in respondents.values()]
    small = sum(size < 5 for size in sizes)
    assert 0.1 * len(sizes) < small < 0.7 * len(sizes), (small, len(sizes))


def test_mentoring_meetings_have_each_participant_and_some_schools_stall(pilot: Path, statements: dict[str, list[dict[str, Any]]]) -> None:
    rows = [s for name, r in statements.items() if name.endswith("-mentoring.ndjson.gz") for s in r]
    participants: dict[str, set[str]] = defaultdict(set)
    last_contact: dict[str, str] = {}
    for s in rows:
        school = s["context"]["extensions"][EXT + "/school"]
        if s["verb"]["id"] == vocab.ATTENDED:
            participants[s["object"]["id"]].add(actor_key(s["actor"]) or "")
        last_contact[school] = max(last_contact.get(school, ""), s["timestamp"])
    assert min(len(p) for p in participants.values()) >= 3  # mentor, leader and at least one teacher
    mentees = {p["mentee_school"] for p in _csv(pilot, "mentoring")}
    assert set(last_contact) == mentees
    stalled = [s for s, t in last_contact.items() if t < "2026-02-01"]
    assert 1 <= len(stalled) <= len(mentees) // 2
    phases = {s["context"]["extensions"][vocab.EXT_PHASE] for s in rows}
    assert phases == set(vocab.PHASES)


def test_early_mentoring_activity_foretells_stalling_with_noise(pilot: Path, statements: dict[str, list[dict[str, Any]]]) -> None:
    """Stalled schools meet less and start later in their first 8 weeks, yet some look busy."""
    starts = {p["mentee_school"]: p["start"] for p in _csv(pilot, "mentoring")}
    meetings: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for name, rows in statements.items():
        for s in rows if name.endswith("-mentoring.ndjson.gz") else ():
            school, day = s["context"]["extensions"][vocab.EXT_SCHOOL], s["timestamp"][:10]
            first[school], last[school] = min(first.get(school, day), day), max(last.get(school, day), day)
            if s["verb"]["id"] == vocab.ATTENDED and date.fromisoformat(day) < date.fromisoformat(starts[school]) + timedelta(days=56):
                meetings[school].add(s["object"]["id"])
    stalled = {school for school, day in last.items() if day < "2026-02-01"}
    early = {school: len(meetings[school]) for school in starts}
    delay = {school: (date.fromisoformat(first[school]) - date.fromisoformat(start)).days for school, start in starts.items()}
    active = set(starts) - stalled
    assert mean(early[s] for s in stalled) < mean(early[s] for s in active) - 0.5
    assert mean(delay[s] for s in stalled) > mean(delay[s] for s in active) + 3
    # a tendency, not a giveaway: some stalled school meets as often as the typical active one
    assert max(early[s] for s in stalled) >= median(early[s] for s in active)


def test_the_demo_story_holds_on_the_committed_sample() -> None:
    """Through the real CLI (registry, ingest, compute): the stall model learns something but
    not everything, 8-12 of the 40 mentee schools are stalled today, and mentored schools
    improve more than the others in every hub."""
    import polars as pl

    from dashboard_support import cached_marts

    current = cached_marts() / "current"
    model = pl.read_parquet(current / "stall_model.parquet").row(0, named=True)
    assert model["schools"] == 40 and 0.65 <= model["cv_mean"] <= 0.95, model
    progress = pl.read_parquet(current / "mentoring_progress.parquet")
    today = progress.filter(pl.col("as_of") == pl.col("as_of").max())
    assert today.height == 40 and 8 <= today["stalled"].sum() <= 12
    summary = pl.read_parquet(current / "mentoring_outcome_summary.parquet").filter(pl.col("mentored"))
    assert summary.height == 5 and summary["difference"].min() > 0.1, summary


def test_each_mentoring_cycle_opens_with_a_meeting(statements: dict[str, list[dict[str, Any]]]) -> None:
    first: dict[str, tuple[str, str]] = {}
    for name, rows in statements.items():
        if name.endswith("-mentoring.ndjson.gz"):
            for s in rows:
                reg = s["context"]["registration"]
                if reg not in first or s["timestamp"] < first[reg][0]:
                    first[reg] = (s["timestamp"], s["verb"]["id"])
    assert len(first) == 40 and {verb for _, verb in first.values()} == {vocab.ATTENDED}


def test_micro_credentials_have_no_school_extension_and_map_through_the_registry(pilot: Path, statements: dict[str, list[dict[str, Any]]]) -> None:
    teachers = {p["actor"] for p in _csv(pilot, "people") if p["role"] == "teacher"}
    badges = [s for name, r in statements.items() if name.endswith("-credentials.ndjson.gz") for s in r]
    assert len(badges) > 200
    assert all(actor_key(b["actor"]) in teachers and "extensions" not in b["context"] for b in badges)


# --- helpers -------------------------------------------------------------------------------------


def test_fast_ids_and_timestamps_equal_the_standard_library() -> None:
    import uuid
    from datetime import UTC, datetime

    from lat.sample.emit import Ids, agent, iso

    ids = Ids(7)
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/xapi/lat/sample/7")
    for name in ("selfie|ee-s01001|2025-autumn|teacher|0|A1", "ä|ü", ""):
        assert ids.statement(name) == str(uuid.uuid5(namespace, name))
    assert Ids(8).statement("x") != ids.statement("x")
    for ts in (0, 1_757_924_000, 1_781_870_399, 1_767_225_600):
        assert iso(ts) == datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert iso(1_757_924_000, "+00:00") == "2025-09-15T08:13:20+00:00"
    assert orjson.loads(agent("https://moodle.example.org|42")) == {"objectType": "Agent", "account": {"homePage": "https://moodle.example.org", "name": "42"}}
    assert orjson.loads(agent("mailto:a@example.org")) == {"objectType": "Agent", "mbox": "mailto:a@example.org"}
