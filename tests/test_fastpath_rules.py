"""The xAPI rules of the C fast path (lat/ingest/_fastxapi_rules.c): what it proves is certainly stored.

``lat.ingest._fastxapi.proven(line)`` is the C parser plus ``xapi_fast_valid``. The promise checked
here: when it says True, :func:`lat.xapi.validation.validate` accepts the statement (version None),
the statement is no voiding statement, and DuckDB reads its id, timestamp and registration
(the instant it reads is the one the text means). It may say False for valid statements (the
Python path then decides), but it must say True for the common shapes: every statement of
the ingest benchmark's generator and nearly all of data/sample and the Moodle corpus.

Sources of statements: the validator's fixtures (tests/fixtures/validation), the Moodle
corpus (../shared/corpus/moodle-logstore-xapi, read in place), data/sample, the benchmark
generator, one statement per rule below, and hypothesis mutations of valid statements.
"""

from __future__ import annotations

import copy
import functools
import gzip
import importlib
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from json_paths import DELETE, Change, changed, paths
from lat.xapi import vocab
from lat.xapi.validation import validate

ROOT = Path(__file__).resolve().parents[1]
VALIDATION = ROOT / "tests" / "fixtures" / "validation"
CORPUS = ROOT.parent / "shared" / "corpus" / "moodle-logstore-xapi"
SAMPLE = ROOT / "data" / "sample" / "statements"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _compiled() -> ModuleType:
    """lat.ingest._fastxapi, built in place first when it is not (gcc and the Python headers are on every
    machine), and configured as lat.ingest.fastpath configures it (numbers are read in the C locale it sets)."""
    try:
        importlib.import_module("lat.ingest._fastxapi")
    except ImportError:
        subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=ROOT, check=True, capture_output=True)
    fastpath = importlib.import_module("lat.ingest.fastpath")
    assert fastpath.AVAILABLE, fastpath.REASON
    return importlib.import_module("lat.ingest._fastxapi")


proven: Callable[[bytes], bool] = _compiled().proven


def _sound(line: bytes) -> bool:
    """proven(line), asserting what a True promises (validate accepts it; no voiding statement)."""
    if not proven(line):
        return False
    stmt = orjson.loads(line)
    reason = validate(stmt)
    assert reason is None, f"proven, but the validator says {reason!r}: {line!r}"
    assert stmt["verb"]["id"] != vocab.VOIDED, f"proven, but a voiding statement: {line!r}"
    return True


def _line(stmt: Any) -> bytes:
    return orjson.dumps(stmt)


# --- DuckDB reads what is proven ------------------------------------------------------------


def _instant_us(text: str) -> Fraction:
    """Microseconds since the epoch of an RFC 3339 timestamp, exactly as the text means it (a
    fraction of a microsecond stays: DuckDB, which keeps microseconds, must not be said to read it)."""
    match = re.fullmatch(r"(.{19})(?:\.(\d+))?(.*)", text)
    assert match is not None, text
    whole, digits, offset = match.groups()
    moment = datetime.fromisoformat(whole + offset.replace("Z", "+00:00"))
    fraction = Fraction(int(digits), 10 ** len(digits)) if digits else Fraction(0)
    return (moment - EPOCH) // timedelta(microseconds=1) + fraction * 1_000_000


@functools.cache
def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the module, in a time zone that is not UTC (so a timestamp read
    without its offset would show)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/St_Johns'")
    return con


def _duckdb_instants(texts: list[str]) -> list[int | None]:
    """Microseconds since the epoch of DuckDB's TRY_CAST(text AS TIMESTAMPTZ) of each text."""
    sql = "SELECT list_transform(?, lambda t: epoch_us(TRY_CAST(t AS TIMESTAMPTZ)))"
    return _duckdb().execute(sql, [texts]).fetchall()[0][0]  # type: ignore[no-any-return]


def _assert_duckdb_reads(stmts: list[dict[str, Any]]) -> None:
    """DuckDB casts every id and registration to the same UUID and every timestamp to the same instant."""
    ids = [s["id"] for s in stmts if "id" in s]
    ids += [s["context"]["registration"] for s in stmts if "registration" in s.get("context", {})]
    stamps = [s["timestamp"] for s in stmts if "timestamp" in s]
    uuids = _duckdb().execute("SELECT list_transform(?, lambda u: TRY_CAST(u AS UUID)::VARCHAR)", [ids]).fetchall()
    assert uuids[0][0] == [u.lower() for u in ids]
    assert _duckdb_instants(stamps) == [_instant_us(t) for t in stamps]


# --- the statements there are ---------------------------------------------------------------


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _fixture_statements() -> list[tuple[str, Any]]:
    """Every statement of the validator's fixtures, valid and invalid (bare or wrapped)."""
    found = []
    for path in sorted((VALIDATION / "valid").glob("*.json")):
        case = _load(path)
        found.append((path.stem, case["statement"] if "statement" in case and "actor" not in case else case))
    for path in sorted((VALIDATION / "invalid").glob("*.json")):
        found.append((path.stem, _load(path)["statement"]))
    return found


def _corpus_lines() -> list[bytes]:
    lines = []
    for path in sorted(CORPUS.glob("*.json")):
        data = _load(path)
        lines.extend(_line(stmt) for stmt in (data if isinstance(data, list) else [data]))
    return lines


def _sample_lines() -> list[bytes]:
    lines = []
    for path in sorted(SAMPLE.glob("*.ndjson.gz")):
        with gzip.open(path) as stream:
            lines.extend(line.rstrip(b"\n") for line in stream if line.strip())
    return lines


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "bench_ingest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` statements of bench/bench_ingest.py's generator, as it makes them."""
    import random

    bench = _bench_module()
    rng = random.Random(seed)
    moment = datetime(2025, 9, 1, 8, tzinfo=UTC)
    stmts = []
    for _ in range(count):
        moment += timedelta(milliseconds=rng.randrange(1, 4000))
        stmts.append(bench.statement(rng, moment))
    return stmts


def _coverage(lines: list[bytes]) -> tuple[int, list[dict[str, Any]]]:
    """(valid statements, the proven ones) of ``lines``; asserts what proven promises on each.

    The same check as :func:`_sound`, with each line parsed and validated once (there are many).
    """
    valid, provable = 0, []
    for line in lines:
        stmt = orjson.loads(line)
        reason = validate(stmt)
        if proven(line):
            assert reason is None, f"proven, but the validator says {reason!r}: {line!r}"
            assert stmt["verb"]["id"] != vocab.VOIDED, line
            provable.append(stmt)
        valid += reason is None
    return valid, provable


def test_validator_fixtures_are_proven_only_when_valid() -> None:
    accepted = []
    for name, stmt in _fixture_statements():
        if _sound(_line(stmt)):
            accepted.append(name)
            _assert_duckdb_reads([stmt])
    # the common shapes among the fixtures; the others carry groups, attachments, an authority,
    # a SubStatement, basic-format or offset-less timestamps, rare language tags, a voiding verb
    assert {
        "minimal",
        "durations",
        "interaction_choice",
        "interaction_matching",
        "score_bounds_inclusive",
        "single_activity_context_value",
        "urn_iri_activity",
        "uuid_version_7",
    } <= set(accepted)


def test_every_generated_statement_is_proven() -> None:
    stmts = _generated(3000)
    for stmt in stmts:
        assert _sound(_line(stmt)), stmt
    _assert_duckdb_reads(stmts)


def test_moodle_corpus_is_proven() -> None:
    valid, provable = _coverage(_corpus_lines())
    assert valid == 190
    assert len(provable) / valid >= 0.95, f"{len(provable)} of {valid}"


def test_sample_statements_are_proven() -> None:
    valid, provable = _coverage(_sample_lines())
    assert valid > 100_000
    assert len(provable) / valid >= 0.95, f"{len(provable)} of {valid}"
    _assert_duckdb_reads(provable)


# --- one case per rule: accepted, refused ---------------------------------------------------

FULL: dict[str, Any] = {
    "id": "6f1f3c2e-6a1b-4c3d-8e9f-0a1b2c3d4e5f",
    "actor": {"objectType": "Agent", "name": "Mari Maasikas", "account": {"homePage": "https://moodle.school1.example.org", "name": "42"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered", "et-EE": "vastas"}},
    "object": {
        "objectType": "Activity",
        "id": "https://moodle.school1.example.org/mod/quiz/view.php?id=7",
        "definition": {
            "name": {"en": "Quiz 7", "et": "Test 7 – murrud"},
            "description": {"en": "Fractions ½"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "moreInfo": "https://example.org/quiz/7",
            "extensions": {"https://example.org/ext/level": 2},
            "interactionType": "choice",
            "correctResponsesPattern": ["a[,]b"],
            "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": False,
        "response": "a[,]b",
        "duration": "PT1M30.5S",
        "extensions": {"https://example.org/ext/tries": 3},
    },
    "context": {
        "registration": "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
        "instructor": {"mbox": "mailto:mentor@example.org"},
        "contextActivities": {
            "parent": [{"id": "https://moodle.school1.example.org/course/view.php?id=3", "objectType": "Activity"}],
            "grouping": {"id": "https://moodle.school1.example.org"},
            "category": [{"id": "http://moodle.org", "definition": {"type": "http://id.tincanapi.com/activitytype/source"}}],
            "other": [],
        },
        "revision": "r1",
        "platform": "Moodle",
        "language": "en",
        "extensions": {"https://w3id.org/xapi/lat/extensions/school": "S001", "urn:example:null": None},
    },
    "timestamp": "2025-09-01T08:00:00.123+03:00",
    "version": "1.0.3",
}


def _one(path: tuple[Any, ...], value: Any) -> list[Change]:
    return [(path, value)]


TS, ID, REG = ("timestamp",), ("id",), ("context", "registration")
ACTOR, VERB, OBJ, DEF = ("actor",), ("verb",), ("object",), ("object", "definition")
RESULT, SCORE, CONTEXT = ("result",), ("result", "score"), ("context",)
ACCOUNT_AGENT = {"account": {"homePage": "https://lms.example.org", "name": "7"}}
GROUP = {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}
STATEMENT_REF = {"objectType": "StatementRef", "id": "6f1f3c2e-6a1b-4c3d-8e9f-0a1b2c3d4e5e"}
# revision and platform are allowed only when the object is an Activity
NOT_ACTIVITY: list[Change] = [(("context", "revision"), DELETE), (("context", "platform"), DELETE)]

# (case, changes to FULL, proven by C, accepted by Python). A case that C refuses but Python
# accepts is one left to the Python path on purpose (rare or not certainly read alike).
CASES: list[tuple[str, list[Change], bool, bool]] = [
    ("full", [], True, True),
    # statement (statements.statement_error)
    ("statement_extra_key", _one(("Actor",), ACCOUNT_AGENT), False, False),
    ("statement_stored", _one(("stored",), "2025-09-01T08:00:00Z"), False, True),
    ("statement_authority", _one(("authority",), ACCOUNT_AGENT), False, True),
    ("statement_attachments", _one(("attachments",), []), False, True),
    ("statement_no_actor", _one(ACTOR, DELETE), False, False),
    ("statement_no_verb", _one(VERB, DELETE), False, False),
    ("statement_no_object", _one(OBJ, DELETE), False, False),
    ("statement_minimal", [(k, DELETE) for k in (ID, ("result",), CONTEXT, TS, ("version",))], True, True),
    # version (statements.version_error, validation._mode)
    ("version_2_0_0", _one(("version",), "2.0.0"), True, True),
    ("version_1_0", _one(("version",), "1.0"), True, True),
    ("version_2_0", _one(("version",), "2.0"), True, True),
    ("version_1_1", _one(("version",), "1.1"), False, False),
    ("version_3_0_0", _one(("version",), "3.0.0"), False, False),
    ("version_number", _one(("version",), 1.0), False, False),
    ("version_unicode_digit", _one(("version",), "1.0.\u0663"), False, True),
    # id (formats.uuid_error; DuckDB TRY_CAST AS UUID)
    ("id_upper", _one(ID, "6F1F3C2E-6A1B-4C3D-8E9F-0A1B2C3D4E5F"), True, True),
    ("id_version_0", _one(ID, "6f1f3c2e-6a1b-0c3d-8e9f-0a1b2c3d4e5f"), False, False),
    ("id_variant_c", _one(ID, "6f1f3c2e-6a1b-4c3d-ce9f-0a1b2c3d4e5f"), False, False),
    ("id_no_hyphens", _one(ID, "6f1f3c2e6a1b4c3d8e9f0a1b2c3d4e5f"), False, False),
    ("id_braces", _one(ID, "{6f1f3c2e-6a1b-4c3d-8e9f-0a1b2c3d4e5f}"), False, False),
    ("id_number", _one(ID, 7), False, False),
    # timestamp (formats.timestamp_error; DuckDB TRY_CAST AS TIMESTAMPTZ)
    ("timestamp_z", _one(TS, "2025-09-01T08:00:00Z"), True, True),
    ("timestamp_micro", _one(TS, "2025-09-01T08:00:00.123456-05:30"), True, True),
    ("timestamp_offset_23_59", _one(TS, "2025-09-01T08:00:00+23:59"), True, True),
    ("timestamp_leap_day", _one(TS, "2024-02-29T08:00:00Z"), True, True),
    ("timestamp_year_1000", _one(TS, "1000-01-01T00:00:00Z"), True, True),
    ("timestamp_7_digits", _one(TS, "2025-09-01T08:00:00.1234567Z"), False, True),
    ("timestamp_no_offset", _one(TS, "2025-09-01T08:00:00"), False, True),
    ("timestamp_no_seconds", _one(TS, "2025-09-01T08:00Z"), False, True),
    ("timestamp_basic", _one(TS, "20250901T080000Z"), False, True),
    ("timestamp_comma", _one(TS, "2025-09-01T08:00:00,5Z"), False, True),
    ("timestamp_offset_no_colon", _one(TS, "2025-09-01T08:00:00+0300"), False, True),
    ("timestamp_leap_second", _one(TS, "2016-12-31T23:59:60Z"), False, True),
    ("timestamp_year_999", _one(TS, "0999-01-01T00:00:00Z"), False, True),
    ("timestamp_negative_zero", _one(TS, "2025-09-01T08:00:00-00:00"), False, False),
    ("timestamp_not_leap_year", _one(TS, "2023-02-29T08:00:00Z"), False, False),
    ("timestamp_hour_24", _one(TS, "2025-09-01T24:00:00Z"), False, False),
    ("timestamp_offset_24", _one(TS, "2025-09-01T08:00:00+24:00"), False, False),
    ("timestamp_lower_t", _one(TS, "2025-09-01t08:00:00Z"), False, False),
    ("timestamp_space", _one(TS, "2025-09-01 08:00:00Z"), False, False),
    ("timestamp_unicode_digit", _one(TS, "2025-09-01T08:00:0\u0665Z"), False, True),
    # actor: Agent (agents.agent_error, agents.account_error)
    ("agent_mbox", _one(ACTOR, {"mbox": "mailto:mari.m+lat@school-1.example.ee"}), True, True),
    ("agent_sha1", _one(ACTOR, {"mbox_sha1sum": "a9993e364706816aba3e25717850c26c9cd0d89d"}), True, True),
    ("agent_openid", _one(ACTOR, {"openid": "https://id.example.org/mari"}), True, True),
    ("agent_account_only", _one(ACTOR, ACCOUNT_AGENT), True, True),
    ("agent_two_ifis", _one(ACTOR, {"mbox": "mailto:a@example.org", **ACCOUNT_AGENT}), False, False),
    ("agent_no_ifi", _one(ACTOR, {"name": "Mari"}), False, False),
    ("agent_group", _one(ACTOR, GROUP), False, True),
    ("agent_object_type_lower", _one(("actor", "objectType"), "agent"), False, False),
    ("agent_name_number", _one(("actor", "name"), 5), False, False),
    ("agent_member", _one(("actor", "member"), []), False, False),
    ("account_extra_key", _one(("actor", "account", "id"), "x"), False, False),
    ("account_no_name", _one(("actor", "account", "name"), DELETE), False, False),
    ("account_home_not_iri", _one(("actor", "account", "homePage"), "moodle"), False, False),
    ("account_name_number", _one(("actor", "account", "name"), 42), False, False),
    ("mbox_no_mailto", _one(ACTOR, {"mbox": "a@example.org"}), False, False),
    ("mbox_space", _one(ACTOR, {"mbox": "mailto:a b@example.org"}), False, False),
    ("mbox_two_ats", _one(ACTOR, {"mbox": "mailto:a@b@example.org"}), False, False),
    ("mbox_unicode", _one(ACTOR, {"mbox": "mailto:märi@example.org"}), False, True),
    ("sha1_39_digits", _one(ACTOR, {"mbox_sha1sum": "a9993e364706816aba3e25717850c26c9cd0d89"}), False, False),
    ("openid_not_iri", _one(ACTOR, {"openid": "mari"}), False, False),
    # verb (statements.verb_error, statements._voiding_error)
    ("verb_voided", [(("verb", "id"), vocab.VOIDED), (OBJ, STATEMENT_REF), *NOT_ACTIVITY], False, True),
    ("verb_voided_activity", _one(("verb", "id"), vocab.VOIDED), False, False),
    ("verb_voided_upper", _one(("verb", "id"), vocab.VOIDED.upper()), False, True),
    ("verb_no_display", _one(("verb", "display"), DELETE), True, True),
    ("verb_no_id", _one(("verb", "id"), DELETE), False, False),
    ("verb_id_not_iri", _one(("verb", "id"), "attended"), False, False),
    ("verb_id_unicode", _one(("verb", "id"), "http://example.org/verbs/külastas"), False, True),
    ("verb_extra_key", _one(("verb", "name"), "x"), False, False),
    # IRIs (formats.iri_error)
    ("iri_urn", _one(("object", "id"), "urn:uuid:6f1f3c2e-6a1b-4c3d-8e9f-0a1b2c3d4e5f"), True, True),
    ("iri_upper_http", _one(("object", "id"), "HTTP://EXAMPLE.ORG/A"), True, True),
    ("iri_mailto", _one(("object", "id"), "mailto:a@example.org"), True, True),
    ("iri_percent_query", _one(("object", "id"), "https://example.org/a%20b?x=1&y=[2]#f"), True, True),
    ("iri_http_no_slashes", _one(("object", "id"), "http:example.org"), False, False),
    ("iri_http_empty_host", _one(("object", "id"), "https:///a"), False, False),
    ("iri_http_only", _one(("object", "id"), "https://"), False, False),
    ("iri_space", _one(("object", "id"), "https://example.org/a b"), False, False),
    ("iri_brace", _one(("object", "id"), "https://example.org/{a}"), False, False),
    ("iri_no_scheme", _one(("object", "id"), "example.org/a"), False, False),
    ("iri_scheme_only", _one(("object", "id"), "urn:"), False, False),
    ("iri_digit_scheme", _one(("object", "id"), "1urn:a"), False, False),
    ("iri_unicode", _one(("object", "id"), "https://example.org/ä"), False, True),
    # object: Activity (statements.object_error, activities.activity_error)
    ("object_no_object_type", _one(("object", "objectType"), DELETE), True, True),
    ("object_agent", [(OBJ, {"objectType": "Agent", "mbox": "mailto:a@example.org"}), *NOT_ACTIVITY], False, True),
    ("object_group", [(OBJ, GROUP), *NOT_ACTIVITY], False, True),
    ("object_statement_ref", [(OBJ, STATEMENT_REF), *NOT_ACTIVITY], False, True),
    ("object_type_lower", _one(("object", "objectType"), "activity"), False, False),
    ("object_no_id", _one(("object", "id"), DELETE), False, False),
    ("object_extra_key", _one(("object", "name"), {"en": "x"}), False, False),
    # definition (activities.definition_error, interaction_error, components_error)
    ("definition_plain", _one(DEF, {"name": {"en": "Quiz"}, "type": "http://adlnet.gov/expapi/activities/assessment"}), True, True),
    ("definition_empty", _one(DEF, {}), True, True),
    ("definition_extra_key", _one(("object", "definition", "title"), {"en": "x"}), False, False),
    ("definition_type_not_iri", _one(("object", "definition", "type"), "quiz"), False, False),
    ("definition_more_info_number", _one(("object", "definition", "moreInfo"), 1), False, False),
    ("definition_extension_key", _one(("object", "definition", "extensions"), {"level": 2}), False, False),
    (
        "interaction_likert_scale",
        [
            (("object", "definition", "interactionType"), "likert"),
            (("object", "definition", "choices"), DELETE),
            (("object", "definition", "scale"), [{"id": "1"}, {"id": "2"}]),
        ],
        True,
        True,
    ),
    (
        "interaction_matching",
        [
            (("object", "definition", "interactionType"), "matching"),
            (("object", "definition", "choices"), DELETE),
            (("object", "definition", "source"), [{"id": "a"}]),
            (("object", "definition", "target"), [{"id": "a"}]),
        ],
        True,
        True,
    ),
    ("interaction_unknown_type", _one(("object", "definition", "interactionType"), "essay"), False, False),
    ("interaction_list_of_other_type", _one(("object", "definition", "interactionType"), "likert"), False, False),
    ("interaction_no_type", _one(("object", "definition", "interactionType"), DELETE), False, False),
    ("interaction_pattern_number", _one(("object", "definition", "correctResponsesPattern"), ["a", 1]), False, False),
    ("interaction_pattern_string", _one(("object", "definition", "correctResponsesPattern"), "a"), False, False),
    ("component_repeated_id", _one(("object", "definition", "choices"), [{"id": "a"}, {"id": "a"}]), False, False),
    ("component_empty_id", _one(("object", "definition", "choices"), [{"id": ""}]), False, False),
    ("component_no_id", _one(("object", "definition", "choices"), [{"description": {"en": "A"}}]), False, False),
    ("component_extra_key", _one(("object", "definition", "choices"), [{"id": "a", "name": "A"}]), False, False),
    ("component_bad_description", _one(("object", "definition", "choices"), [{"id": "a", "description": "A"}]), False, False),
    # language maps and tags (activities.language_map_error, formats.language_tag_error)
    ("tag_script_region", _one(("verb", "display"), {"zh-Hant-TW": "x", "es-419": "y", "EN-gb": "z"}), True, True),
    ("tag_private_use", _one(("verb", "display"), {"x-lat": "x"}), True, True),
    ("map_empty", _one(("verb", "display"), {}), True, True),
    ("tag_one_letter", _one(("verb", "display"), {"e": "x"}), False, False),
    ("tag_trailing_hyphen", _one(("verb", "display"), {"en-": "x"}), False, False),
    ("tag_underscore", _one(("verb", "display"), {"en_GB": "x"}), False, False),
    ("tag_long_language", _one(("verb", "display"), {"english": "x"}), False, True),
    ("tag_variant", _one(("verb", "display"), {"sl-rozaj": "x"}), False, True),
    ("tag_irregular", _one(("verb", "display"), {"i-klingon": "x"}), False, True),
    ("map_value_number", _one(("verb", "display"), {"en": 1}), False, False),
    ("map_not_object", _one(("verb", "display"), "answered"), False, False),
    # result (statements.result_error, score_error; formats.duration_error)
    ("score_scaled_bounds", [(("result", "score", "scaled"), -1), (("result", "score"), {"scaled": 1.0})], True, True),
    ("score_raw_at_bounds", _one(SCORE, {"raw": 0, "min": 0, "max": 0.5}), True, True),
    ("score_floats", _one(SCORE, {"raw": 2.5, "min": -1.5, "max": 1e3}), True, True),
    ("score_scaled_above_1", _one(("result", "score", "scaled"), 1.0000000000000002), False, False),
    ("score_min_equals_max", _one(SCORE, {"min": 3, "max": 3}), False, False),
    ("score_raw_below_min", _one(SCORE, {"raw": -1, "min": 0}), False, False),
    ("score_raw_above_max", _one(SCORE, {"raw": 10.5, "max": 10}), False, False),
    ("score_string", _one(("result", "score", "raw"), "5"), False, False),
    ("score_bool", _one(("result", "score", "raw"), True), False, False),
    ("score_extra_key", _one(("result", "score", "total"), 10), False, False),
    ("score_int_16_digits", _one(SCORE, {"raw": 9007199254740993, "max": 9007199254740992.0}), False, False),
    ("score_int_15_digits", _one(SCORE, {"raw": 999999999999999, "max": 1e15}), True, True),
    ("success_string", _one(("result", "success"), "true"), False, False),
    ("completion_null", _one(("result", "completion"), None), False, False),
    ("response_number", _one(("result", "response"), 1), False, False),
    ("result_extra_key", _one(("result", "grade"), "A"), False, False),
    ("result_extension_key", _one(("result", "extensions"), {"tries": 3}), False, False),
    ("duration_week", _one(("result", "duration"), "P2W"), True, True),
    ("duration_full", _one(("result", "duration"), "P1Y2M3DT4H5M6.5S"), True, True),
    ("duration_fraction_hours", _one(("result", "duration"), "PT0.5H"), True, True),
    ("duration_comma", _one(("result", "duration"), "PT1,5S"), False, True),
    ("duration_long_number", _one(("result", "duration"), "PT1234567890S"), False, True),
    ("duration_empty_time", _one(("result", "duration"), "PT"), False, False),
    ("duration_trailing_t", _one(("result", "duration"), "P1DT"), False, False),
    ("duration_fraction_not_last", _one(("result", "duration"), "PT1.5M3S"), False, False),
    ("duration_week_and_day", _one(("result", "duration"), "P1W2D"), False, False),
    ("duration_order", _one(("result", "duration"), "PT1S2M"), False, False),
    ("duration_alternative", _one(("result", "duration"), "P0001-02-03T04:05:06"), False, False),
    ("duration_lower_case", _one(("result", "duration"), "pt1s"), False, False),
    # context (statements.context_error, context_activities_error)
    ("context_registration_upper", _one(REG, "0A1B2C3D-4E5F-4A6B-8C7D-8E9F0A1B2C3D"), True, True),
    ("context_registration_bad", _one(REG, "0a1b2c3d-4e5f-4a6b-8c7d"), False, False),
    ("context_single_parent", _one(("context", "contextActivities", "parent"), {"id": "https://example.org/c"}), True, True),
    ("context_language_region", _one(("context", "language"), "et-EE"), True, True),
    ("context_language_bad", _one(("context", "language"), "e"), False, False),
    ("context_language_number", _one(("context", "language"), 1), False, False),
    ("context_instructor_account", _one(("context", "instructor"), ACCOUNT_AGENT), True, True),
    ("context_instructor_group", _one(("context", "instructor"), GROUP), False, True),
    ("context_instructor_no_ifi", _one(("context", "instructor"), {"name": "x"}), False, False),
    ("context_team", _one(("context", "team"), GROUP), False, True),
    ("context_statement", _one(("context", "statement"), STATEMENT_REF), False, True),
    ("context_agents", [(("version",), "2.0.0"), (("context", "contextAgents"), [{"objectType": "contextAgent", "agent": ACCOUNT_AGENT}])], False, True),
    ("context_extra_key", _one(("context", "school"), "S001"), False, False),
    ("context_revision_number", _one(("context", "revision"), 1), False, False),
    ("context_platform_null", _one(("context", "platform"), None), False, False),
    ("context_activities_bad_key", _one(("context", "contextActivities", "parents"), []), False, False),
    ("context_activities_string", _one(("context", "contextActivities", "parent"), "https://example.org/c"), False, False),
    ("context_activities_bad_item", _one(("context", "contextActivities", "other"), [{"id": "c"}]), False, False),
    ("extensions_values_unchecked", _one(("context", "extensions"), {"https://example.org/x": [None, {"a": {}}]}), True, True),
    ("extensions_key_not_iri", _one(("context", "extensions"), {"school": "S001"}), False, False),
    ("extensions_not_object", _one(("context", "extensions"), []), False, False),
]


@pytest.mark.parametrize(("changes", "fast", "python"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(changes: list[Change], fast: bool, python: bool) -> None:
    stmt = changed(FULL, changes)
    assert (validate(stmt) is None) is python
    assert _sound(_line(stmt)) is fast
    if fast:
        _assert_duckdb_reads([stmt])


IRI_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")


@pytest.mark.parametrize("where", [("object", "id"), ("verb", "id"), ("actor", "account", "homePage")])
def test_iri_characters(where: tuple[str, ...]) -> None:
    """Every ASCII character (and a few others) inside an IRI: proven exactly for the accepted set."""
    for char in [*map(chr, range(128)), "\u00e4", "\u00a0", "\u2028", "\U0001f600"]:
        stmt = changed(FULL, _one(where, f"https://example.org/a{char}b"))
        assert _sound(_line(stmt)) is (char in IRI_CHARACTERS), repr(char)


def test_refused_lines_that_are_not_statements() -> None:
    for line in (b"[]", b"null", b'"x"', b"1", b"{}", _line([FULL])):
        assert not proven(line)


# --- every property replaced by every JSON type (as tests/test_validation.py does) ---------

_REPLACEMENTS: list[Any] = [None, 0, 1, -1, 2.5, True, False, "x", "", "http://example.org/x", "en", [], {}, [1], {"a": 1}, ["x"], [{}], [None], {"en": "x"}]


def _bases() -> list[dict[str, Any]]:
    """Valid statements that are proven, of every shape the fast path covers."""
    bases = [FULL, *(changed(FULL, c[1]) for c in CASES if c[2] and c[1]), *_generated(6)]
    bases += [stmt for _, stmt in _fixture_statements() if proven(_line(stmt))]
    return bases


def test_every_property_replaced_by_every_type() -> None:
    for base in _bases():
        for where in paths(base):
            for value in (*_REPLACEMENTS, DELETE):
                _sound(_line(changed(base, [(where, value)])))


# --- hypothesis: mutations of valid statements ----------------------------------------------

BASES = _bases()
# characters near the formats: digits (ASCII and not), separators, designators, case, controls
_ALPHABET = "0123456789abcdefABCDEFxXtTzZpPwWsSmMhHyY-:.,+/@?#%[]{}<>\"'\\ _~=&\x00\t\n\x7f\u00e4\u0663\u00a0\u2028\U0001f600"
_ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "\ufeff",
    "http://",
    "https://a",
    "https:///a",
    "http://?a",
    "HTTP://#",
    "http:a",
    "urn:x",
    "urn:",
    "mailto:",
    "mailto:a@",
    "en",
    "EN",
    "x-",
    "en-",
    "P",
    "PT",
    "P1DT",
    "PT1.5M1S",
    "P1W",
    "2025-09-01T08:00:00Z",
    "-00:00",
    "00000000-0000-0000-0000-000000000000",
    "6f1f3c2e-6a1b-4c3d-8e9f-0a1b2c3d4e5f",
    "Activity",
    "Agent",
    "Group",
    "StatementRef",
    "SubStatement",
    vocab.VOIDED,
    "1.0.3",
    "2.0.0",
    "\u0661.0",
    "choice",
    "likert",
]
_KEYS = [
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
    "homePage",
    "member",
    "display",
    "definition",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
    "score",
    "scaled",
    "raw",
    "min",
    "max",
    "success",
    "completion",
    "response",
    "duration",
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "parent",
    "grouping",
    "category",
    "other",
    "revision",
    "platform",
    "language",
    "statement",
    "contextAgents",
    "contextGroups",
    "en",
    "http://example.org/x",
    "",
    "Id",
    "id ",
]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2**53, 2**53 + 1, 10**15, 10**16]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, -1.0, 1.0000000000000002, -1.0000000000000002, 0.1, 1e-7, 1e16, 5e-324]),
    st.text(max_size=12),
    st.text(alphabet=_ALPHABET, max_size=40),
    st.sampled_from(_ODD_STRINGS),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), inner, max_size=3), max_leaves=6
)


def _edit(text: str, data: st.DataObject) -> str:
    """``text`` with one to three characters inserted, deleted or replaced, or its case changed."""
    for _ in range(data.draw(st.integers(1, 3))):
        how = data.draw(st.sampled_from(["insert", "delete", "replace", "case"]))
        at = data.draw(st.integers(0, len(text)))
        char = data.draw(st.sampled_from(_ALPHABET) | st.characters(exclude_categories=["Cs"]))  # JSON text has no lone surrogates
        if how == "insert":
            text = text[:at] + char + text[at:]
        elif how == "delete":
            text = text[:at] + text[at + 1 :]
        elif how == "replace":
            text = text[:at] + char + text[at + 1 :]
        else:
            text = text.swapcase() if data.draw(st.booleans()) else text[:at] + text[at : at + 1].swapcase() + text[at + 1 :]
    return text


def _mutated(base: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """``base`` with one value or key changed: replaced, edited, deleted, added or renamed."""
    stmt = copy.deepcopy(base)
    where = data.draw(st.sampled_from(list(paths(stmt))))
    holder: Any = stmt
    for key in where[:-1]:
        holder = holder[key]
    last = where[-1]
    value = holder[last]
    how = data.draw(st.sampled_from(["replace", "edit", "delete", "add", "rename", "edit_key"]))
    if how == "replace" or (how == "edit" and not isinstance(value, str)):
        holder[last] = data.draw(_values)
    elif how == "edit":
        holder[last] = _edit(value, data)
    elif how == "delete" and isinstance(holder, dict):
        del holder[last]
    elif how == "add" and isinstance(value, dict):
        value[data.draw(st.sampled_from(_KEYS) | st.text(max_size=8))] = data.draw(_values)
    elif how in ("rename", "edit_key") and isinstance(holder, dict):
        new = data.draw(st.sampled_from(_KEYS)) if how == "rename" else _edit(last, data)
        holder[new] = holder.pop(last)
    else:  # an array item: replace it
        holder[last] = data.draw(_values)
    return stmt


_MANY = settings(max_examples=4000, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_MANY
@given(st.data())
def test_mutated_statements_are_proven_only_when_valid(data: st.DataObject) -> None:
    stmt = _mutated(data.draw(st.sampled_from(BASES)), data)
    if _sound(_line(stmt)):
        _assert_duckdb_reads([stmt])


@_MANY
@given(st.data())
def test_twice_mutated_statements_are_proven_only_when_valid(data: st.DataObject) -> None:
    stmt = _mutated(_mutated(data.draw(st.sampled_from(BASES)), data), data)
    _sound(_line(stmt))


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_edited_lines_are_proven_only_when_valid(data: st.DataObject) -> None:
    """Byte edits of a valid line: JSON that breaks, escapes, duplicate keys; proven still implies valid."""
    line = bytearray(_line(data.draw(st.sampled_from(BASES))))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(line) - 1))
        piece = data.draw(
            st.sampled_from([b"", b" ", b"\\", b'"', b",", b":", b"{}", b"[]", b"0", b"-", b"e", b"\\u0000", b"\\ud800", b"\xc3", b"\xe4", b'"id":"x",'])
            | st.binary(max_size=3)
        )
        line[at : at + data.draw(st.integers(0, 2))] = piece
    try:
        parsed = orjson.loads(bytes(line))
    except orjson.JSONDecodeError:
        assert not proven(bytes(line)), bytes(line)
        return
    if _sound(bytes(line)):
        _assert_duckdb_reads([parsed])


# --- timestamps and UUIDs against DuckDB, from their parts -----------------------------------

_OFFSETS = ["", "Z", "z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "-05:30", "+05:60", "+0200", "+02"]


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10000),
            st.integers(0, 13),
            st.integers(0, 32),
            st.integers(0, 25),
            st.integers(0, 61),
            st.integers(0, 61),
            st.sampled_from(["", ".", ".5", ".123", ".123456", ".1234567", ",5"]),
            st.sampled_from(_OFFSETS),
            st.sampled_from(["T", "T", "T", "t", " "]),
        ),
        min_size=50,
        max_size=50,
    )
)
def test_timestamps_proven_are_the_instant_duckdb_reads(parts: list[tuple[Any, ...]]) -> None:
    """Each proven timestamp: DuckDB's instant equals the one computed here from its parts."""
    texts: list[str] = []
    expected: list[Fraction] = []
    for year, month, day, hour, minute, second, fraction, offset, sep in parts:
        text = f"{year:04d}-{month:02d}-{day:02d}{sep}{hour:02d}:{minute:02d}:{second:02d}{fraction}{offset}"
        if not _sound(_line(changed(FULL, _one(TS, text)))):
            continue
        sign = -1 if offset.startswith("-") else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))) if offset != "Z" else UTC
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        micro = Fraction(int(fraction[1:]), 10 ** len(fraction[1:])) * 1_000_000 if fraction[1:] else 0
        texts.append(text)
        expected.append((moment - EPOCH) // timedelta(microseconds=1) + micro)
    assert _duckdb_instants(texts) == expected


def _uuid_edit(parts: tuple[Any, int, str, int]) -> str:
    """A UUID's text, maybe upper-cased, with one character replaced (or none)."""
    value, at, char, how = parts
    text = str(value).upper() if how == 1 else str(value)
    return text[:at] + char + text[at + 1 :] if how == 2 else text


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.tuples(st.uuids(allow_nil=True), st.integers(0, 36), st.sampled_from("0123456789abcdefABCDEFg-{ "), st.integers(0, 2)).map(_uuid_edit),
        min_size=20,
        max_size=20,
    )
)
def test_uuids_proven_are_read_by_duckdb(candidates: list[str]) -> None:
    proven_ids = [c for c in candidates if _sound(_line(changed(FULL, [(ID, c), (REG, c)])))]
    _assert_duckdb_reads([{"id": c, "context": {"registration": c}} for c in proven_ids])
