"""The C fast path (lat.ingest._fastxapi via lat.ingest.fastpath) against the Python code it stands in for.

Nothing here is skipped: `make test` builds the module, so a missing module fails these tests.
What is checked:

* canonical JSON: for every document the C parser accepts, its canonical text equals
  ``orjson.dumps(orjson.loads(line), option=OPT_SORT_KEYS)``; what it refuses is listed;
* rows: lat.ingest.fastpath.scan_table's Arrow table equals the table lat.store.rows.Columns builds for the
  same lines (pa.Table.equals on every column, raw byte for byte, floats bit for bit), on the
  Moodle corpus, the sample data, the bench generator and hypothesis-mutated statements, one
  statement at a time and as blocks (blank, broken, pending lines; statements with their own id);
* proven => lat.xapi.validation.validate(...) is None;
* scan_table: line numbering, blank lines, broken lines in between, rows rolled back, empty
  blocks, two threads at once (no GIL) equal to one after the other, the fallback;
* SHA-1: OpenSSL's (through dlsym) and the portable C one equal hashlib.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lat.ingest.fastpath as fastpath
from json_paths import changed, leaves
from lat.ingest import _fastxapi
from lat.ingest.readers import LineBlock
from lat.store.rows import NAMES, ROW_SCHEMA, Columns, add_statement, statement_values
from lat.xapi import vocab  # no skip: make test builds it
from lat.xapi.fields import PROFILE_COLUMNS
from lat.xapi.ids import NAMESPACE, content_digest, derived_id
from lat.xapi.validation import validate

ROOT = Path(__file__).resolve().parents[1]
MOODLE = ROOT.parent / "shared" / "corpus" / "moodle-logstore-xapi"
SAMPLE = ROOT / "data" / "sample" / "statements"
STORED = "2025-10-01T12:00:00.000Z"

sys.path.insert(0, str(ROOT / "bench"))
from bench_ingest import generate  # noqa: E402
from bench_ingest import statement as bench_statement  # noqa: E402

SORTED = orjson.OPT_SORT_KEYS


def sorted_json(line: bytes) -> bytes:
    return orjson.dumps(orjson.loads(line), option=SORTED)


def same_value(c: Any, py: Any) -> bool:
    """Equal and of the same type; floats bit for bit (so -0.0 != 0.0)."""
    if c.__class__ is not py.__class__:
        return False
    if isinstance(c, float):
        return struct.pack("<d", c) == struct.pack("<d", py)
    return bool(c == py)


def assert_same_row(c_row: tuple[Any, ...], py_row: tuple[Any, ...]) -> None:
    assert len(c_row) == len(py_row)
    for name, c, py in zip(NAMES[4:], c_row, py_row, strict=True):
        assert same_value(c, py), f"{name}: C {c!r} != Python {py!r}"


def bench_statements(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    moment = datetime(2025, 9, 1, 8, tzinfo=UTC)
    return [bench_statement(rng, moment) for _ in range(count)]


# ---- canonical JSON ------------------------------------------------------------------------


def test_module_is_built_and_used() -> None:
    assert fastpath.AVAILABLE, fastpath.REASON
    assert _fastxapi.COLUMNS == len(NAMES)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"b":1,"a":{"d":[],"c":{}}}', b'{"a":{"c":{},"d":[]},"b":1}'),
        (b' \t{ "a" : [ 1 , 2.50 , -3 , 1E2, 0.0001 ] }\r\n', b'{"a":[1,2.5,-3,100.0,0.0001]}'),
        (b'"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\\\u0001\\u001F\\u007f"', '"é😀/\\b\\f\\n\\r\\t\\"\\\\\\u0001\\u001f\x7f"'.encode()),
        (b"[true,false,null,-0.0,123456789012345678]", b"[true,false,null,-0.0,123456789012345678]"),
        ('{"é":1,"z":2,"😀":3,"\uffff":4}'.encode(), '{"z":2,"é":1,"\uffff":4,"😀":3}'.encode()),
    ],
)
def test_canonical_examples(line: bytes, expected: bytes) -> None:
    assert _fastxapi.canonical(line) == expected == sorted_json(line)


@pytest.mark.parametrize(
    "line",
    [
        b'{"a":1,"a":2}',  # duplicate keys (orjson keeps the last)
        b'"\\ud800"',
        b'"\\udc00"',
        b'"\\ud800\\u0041"',  # lone surrogates
        b"[-0]",  # orjson reads it as 0
        b"1234567890123456789",  # more than 18 digits
        b"1e-7",
        b"1e16",
        b"0.00001",  # floats whose text has an exponent
        b"1e400",  # infinite
        b"[1] x",
        b"{} {}",
        b"",  # trailing garbage, nothing
        b'{"a":01}',
        b"[1.]",
        b"[.5]",
        b"[+1]",
        b"[NaN]",
        b"[Infinity]",  # not JSON numbers
        b'"\x01"',
        b'"\\x"',
        b'"\\u12"',
        b'["a",]',
        b'{"a":1,}',
        b"{'a':1}",  # not JSON
        b'"\xff"',
        b'"\xc0\xaf"',
        b'"\xed\xa0\x80"',
        b'"\xf4\x90\x80\x80"',  # invalid UTF-8
        b"[" * 33 + b"]" * 33,  # deeper than 32
    ],
)
def test_canonical_refuses(line: bytes) -> None:
    assert _fastxapi.canonical(line) is None


def test_depth_32_is_accepted() -> None:
    line = b"[" * 32 + b"]" * 32
    assert _fastxapi.canonical(line) == line


# JSON values orjson writes (64-bit ints; finite floats)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


def plain_numbers(value: Any) -> bool:
    """Numbers the C parser must take: ints of at most 18 digits, floats whose repr has no exponent."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return len(str(abs(value))) <= 18
    if isinstance(value, float):
        return "e" not in repr(value)
    items = value.values() if isinstance(value, dict) else value
    return all(plain_numbers(v) for v in items)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(["orjson", "ascii", "spaced"]))
def test_canonical_equals_orjson(value: Any, style: str) -> None:
    if style == "orjson":
        line = orjson.dumps(value)
    else:  # \uXXXX escapes (surrogate pairs included), or spaces everywhere
        line = json.dumps(value, ensure_ascii=True, separators=(", ", " : ") if style == "spaced" else (",", ":")).encode()
    got = _fastxapi.canonical(line)
    if plain_numbers(value):
        assert got == sorted_json(line)
    else:
        assert got is None or got == sorted_json(line)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2000), st.binary(min_size=1, max_size=4), st.integers(0, 2))
def test_mutated_bytes_never_accepted_wrongly(at: int, noise: bytes, how: int) -> None:
    """Whatever the C parser accepts, orjson reads to the same canonical text."""
    base = orjson.dumps(bench_statements(1, seed=at)[0])
    at %= len(base)
    line = (base[:at] + noise + base[at + (how != 1) * len(noise) :]) if how < 2 else base[:at] + base[at + 1 :]
    got = _fastxapi.canonical(line)
    if got is not None:
        assert got == sorted_json(line)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e17, max_value=1e17, allow_nan=False) | st.floats(min_value=-1e-3, max_value=1e-3))
def test_floats_as_orjson_writes_them(x: float) -> None:
    line = orjson.dumps([x, x * 3.7, x / 7])
    got = _fastxapi.canonical(line)
    assert got is None or got == sorted_json(line)
    if all("e" not in repr(v) for v in orjson.loads(line)):
        assert got is not None


# ---- rows ----------------------------------------------------------------------------------


def c_table(line: bytes, stored: str = STORED) -> pa.Table | None:
    """C's one-row table of ``line`` without the xAPI rules check (the row builder alone), None when not proven."""
    _, rows, parts, _, own_ids = _fastxapi.scan_table(line, 1, 0, stored, False)
    return fastpath._table(rows, parts, own_ids, "f.ndjson") if rows else None


def c_row(line: bytes, stored: str = STORED) -> tuple[Any, ...] | None:
    """The STATEMENT_COLUMNS of C's row as Python values (raw as bytes), None when not proven."""
    table = c_table(line, stored)
    if table is None:
        return None
    values = [table.column(name)[0].as_py() for name in NAMES[4:-1]]
    return (*values, table.column("raw").chunk(0).storage[0].as_py().encode())


def python_table(statements: list[dict[str, Any]], stored: str = STORED) -> pa.Table:
    columns = Columns()
    for i, stmt in enumerate(statements):
        add_statement(columns, i, "f.ndjson", i + 1, None, stmt, stored)
    return columns.table()


def assert_same_tables(got: pa.Table, expected: pa.Table) -> None:
    """Equal tables of ROW_SCHEMA: every column (raw byte for byte), and floats bit for bit."""
    assert got.schema.equals(expected.schema) and got.schema.equals(ROW_SCHEMA)
    assert got.num_rows == expected.num_rows
    for name in NAMES:
        g, e = got.column(name), expected.column(name)
        assert g.equals(e), f"{name}: C {g.to_pylist()[:3]} != Python {e.to_pylist()[:3]}"
        if pa.types.is_floating(g.type):  # (equals takes -0.0 for 0.0)
            bits = [np.asarray(c.combine_chunks().fill_null(0.0)).view(np.uint64) for c in (g, e)]
            assert (bits[0] == bits[1]).all(), name
    raw = [[text.encode() for chunk in t.column("raw").chunks for text in chunk.storage.to_pylist()] for t in (got, expected)]
    assert raw[0] == raw[1]


def check_statement(stmt: dict[str, Any], line: bytes | None = None, stored: str = STORED) -> str:
    """Compare C and Python on one statement; 'row' when C wrote one, 'pending' when not."""
    line = orjson.dumps(stmt) if line is None else line
    valid = validate(orjson.loads(line)) is None
    if _fastxapi.proven(line):
        assert valid, f"C proved an invalid statement: {line!r}"
    table = c_table(line, stored)
    if table is None or not valid:
        return "pending"
    parsed = orjson.loads(line)
    assert_same_tables(table, python_table([parsed], stored))
    assert_same_row(c_row(line, stored), statement_values(parsed, stored))
    return "row" if _fastxapi.proven(line) else "pending"


def moodle_statements() -> list[dict[str, Any]]:
    out = []
    for path in sorted(MOODLE.glob("*.json")):
        data = orjson.loads(path.read_bytes())
        out.extend(data if isinstance(data, list) else [data])
    return out


def test_moodle_corpus_rows_equal() -> None:
    statements = moodle_statements()
    assert len(statements) >= 150
    outcomes = [check_statement(s) for s in statements]
    assert outcomes.count("row") == len(statements)  # all Moodle statements: no id, account actors


def test_sample_data_rows_equal() -> None:
    lines = [line for path in sorted(SAMPLE.glob("*.ndjson.gz")) for line in gzip.open(path).read().splitlines() if line.strip()]
    assert len(lines) > 10_000
    outcomes = [check_statement(orjson.loads(line), line) for line in lines[::7]]
    assert outcomes.count("row") > len(outcomes) * 9 // 10


def test_bench_statements_rows_equal_and_all_proven() -> None:
    for stmt in bench_statements(500):
        assert check_statement(stmt) == "row"


def test_statement_without_timestamp_version_and_with_odd_stored() -> None:
    stmt = bench_statements(1)[0]
    del stmt["timestamp"]
    stmt["version"] = "1.0.3"
    assert check_statement(stmt, stored="2025-10-01T14:00:00.000+02:00") == "row"
    row = c_row(orjson.dumps(stmt), STORED)
    assert row[2] == STORED  # timestamp: the stored value
    assert row[-1].startswith(
        b'{"id":"' + row[0].encode() + b'","stored":"' + STORED.encode() + b'","timestamp":"' + STORED.encode() + b'","version":"1.0.3","actor":'
    )


@pytest.mark.parametrize(
    "change",
    [
        {"authority": {"mbox": "mailto:lrs@example.org", "objectType": "Agent"}},  # head keeps input order
        {"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": {"objectType": "StatementRef", "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}},
        {"actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}},
        {"actor": {"mbox": "mailto:ÄNNE@example.org"}},  # non-ASCII lower()
    ],
)
def test_left_to_python(change: dict[str, Any]) -> None:
    stmt = {**bench_statements(1)[0], **change}
    assert c_row(orjson.dumps(stmt), STORED) is None


def test_mbox_actor_and_durations() -> None:
    stmt = bench_statements(1)[0]
    stmt["actor"] = {"mbox": "mailto:Anne.Smith@Example.ORG", "objectType": "Agent"}
    for duration in ("PT1H30M", "P1Y2M4DT5H6M7.25S", "P3W", "PT0.5S", "P3D", "PT12M"):
        stmt["result"] = {"duration": duration, "completion": True}
        assert check_statement(stmt) == "row"
    assert c_row(orjson.dumps(stmt), STORED)[5] == "mailto:anne.smith@example.org"


odd_strings = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", '"', "\\", "\x00", "\x1f\x7f", "é", "😀", "\u2028", "a/b", "Ä", "mailto:X@Y.Z", "PT1H", "P1DT2.5S"]
)
odd_numbers = st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.booleans()


@st.composite
def mutated_statements(draw: st.DrawFn) -> dict[str, Any]:
    """A bench statement with some leaves changed, some optional parts dropped or added."""
    stmt = bench_statements(1, seed=draw(st.integers(0, 10**6)))[0]
    where = list(leaves(stmt))
    for _ in range(draw(st.integers(0, 4))):
        stmt = changed(stmt, [(draw(st.sampled_from(where)), draw(odd_strings | odd_numbers | st.none()))])
    for key in draw(st.sets(st.sampled_from(["timestamp", "context", "result"]))):
        stmt.pop(key, None)
    if draw(st.booleans()):
        stmt["result"] = {
            "score": {"raw": draw(odd_numbers), "scaled": draw(st.floats(-1, 1))},
            "duration": draw(odd_strings),
            "response": draw(odd_strings),
            "extensions": {"http://example.org/x": draw(odd_strings | odd_numbers)},
        }
    if draw(st.booleans()):
        stmt.setdefault("context", {})["extensions"] = {
            "https://w3id.org/xapi/lat/extensions/school": draw(odd_strings | odd_numbers),
            "https://w3id.org/xapi/lat/extensions/round": draw(odd_strings),
        }
    return stmt


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_statements(), st.booleans())
def test_mutated_statements(stmt: dict[str, Any], ascii_escapes: bool) -> None:
    line = json.dumps(stmt, ensure_ascii=True).encode() if ascii_escapes else orjson.dumps(stmt)
    check_statement(stmt, line)


def test_float_scores_bit_for_bit() -> None:
    stmt = bench_statements(1)[0]
    for raw in (0.1, 1 / 3, 99.99999999999999, 123456789012345678, -0.0, 5e-5):
        stmt["result"] = {"score": {"raw": raw, "scaled": 0.5, "min": -0.0, "max": 1e15}}
        check_statement(stmt)
    assert math.isnan(float("nan"))  # (the writer never sees NaN: JSON has none)


# ---- scan_table ----------------------------------------------------------------------------


def scan_both(data: bytes, first_line: int = 1, seq: int = 100) -> tuple[pa.Table, list[Any], pa.Table]:
    """C's scan_table of `data`, and the table Python builds for the records C proved."""
    block = LineBlock("f.ndjson", first_line, data, data.count(b"\n") + 1, 0)
    records, table, pending = fastpath.scan_table(block, seq, STORED)
    numbered = list(block.numbered())
    assert records == len(numbered)
    expected = Columns()
    left = {s for s, _, _ in pending}
    for i, (line, text) in enumerate(numbered):
        if seq + i not in left:
            add_statement(expected, seq + i, "f.ndjson", line, None, orjson.loads(text), STORED)
    assert pending == [(seq + i, line, text) for i, (line, text) in enumerate(numbered) if seq + i in left]
    return table, pending, expected.table()


def test_scan_numbering_blank_and_broken_lines() -> None:
    lines = [orjson.dumps(s) for s in bench_statements(6)]
    data = b"\n".join(
        [
            lines[0],
            b"",
            b"  \t\x0b\x0c\r",
            b" " + lines[1] + b" \r",
            b'{"actor": broken',
            lines[2],
            b"[1, 2]",
            lines[3] + b"x",
            b"\xff\xfe",
            lines[4],
            b"",
            lines[5],
        ]
    )
    table, pending, expected = scan_both(data, first_line=41, seq=7)
    assert_same_tables(table, expected)
    assert table.column("seq").to_pylist() == [7, 8, 10, 14, 15]  # seq: blank lines are no records
    assert table.column("line").to_pylist() == [41, 44, 46, 50, 52]  # line numbers count blank lines
    assert [(s, line) for s, line, _ in pending] == [(9, 45), (11, 47), (12, 48), (13, 49)]
    assert pending[3][2] == b"\xff\xfe"


def test_scan_rolls_back_a_row_left_half_written() -> None:
    """A statement found unprovable deep in its row (a non-ASCII mbox, an odd duration) leaves no trace."""
    statements = bench_statements(4)
    statements[1]["actor"] = {"mbox": "mailto:ÄNNE@example.org"}
    statements[2]["result"] = {"duration": "PT1,5S", "response": "x" * 5000}
    table, pending, expected = scan_both(b"\n".join(orjson.dumps(s) for s in statements), seq=0)
    assert [s for s, _, _ in pending] == [1, 2]
    assert_same_tables(table, expected)


def test_scan_moodle_corpus_equals_python() -> None:
    statements = moodle_statements()
    table, pending, expected = scan_both(b"\n".join(orjson.dumps(s) for s in statements))
    assert pending == [] and table.num_rows == len(statements)
    assert_same_tables(table, expected)


def test_scan_bench_generator_equals_python(tmp_path: Path) -> None:
    path = tmp_path / "bench.ndjson"
    generate(path, 3000)
    table, pending, expected = scan_both(path.read_bytes().rstrip(b"\n"))
    assert pending == [] and table.num_rows == 3000
    assert_same_tables(table, expected)


@pytest.mark.parametrize("kind", ["lms", "surveys"])  # derived ids; own ids (digest set by lat.ingest.fastpath)
def test_scan_sample_file_matches_python(kind: str) -> None:
    data = gzip.open(sorted(SAMPLE.glob(f"*{kind}.ndjson.gz"))[0]).read().rstrip(b"\n")
    table, pending, expected = scan_both(data[:2_000_000].rsplit(b"\n", 1)[0])
    assert table.num_rows > 1000 and len(pending) < table.num_rows // 10
    assert_same_tables(table, expected)


def test_own_ids_rows_and_digests() -> None:
    statements = bench_statements(8)
    for i, stmt in enumerate(statements[::2]):
        stmt["id"] = f"6BA7B810-9DAD-11D1-80B4-00C04FD430C{i}"  # kept as written
    table, pending, expected = scan_both(b"\n".join(orjson.dumps(s) for s in statements))
    assert pending == [] and table.num_rows == 8
    assert_same_tables(table, expected)
    assert table.column("id")[2].as_py() == "6BA7B810-9DAD-11D1-80B4-00C04FD430C1"
    digests = table.column("digest").to_pylist()
    assert digests[0::2] == [content_digest(s) for s in statements[0::2]] and digests[1::2] == [None] * 4


def test_empty_and_blank_blocks() -> None:
    for data in (b"", b"\n\n  \n"):
        table, pending, expected = scan_both(data)
        assert table.num_rows == 0 and pending == []
        assert_same_tables(table, expected)


def test_two_threads_scan_as_one() -> None:
    """The scan runs without the GIL: concurrent scans of two blocks equal sequential ones."""
    blocks = []
    for seed in (1, 2):
        statements = bench_statements(1500, seed=seed)
        statements[7]["id"] = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
        lines = [orjson.dumps(s) for s in statements]
        lines[11] = b"not json"
        blocks.append(LineBlock(f"b{seed}.ndjson", 1, b"\n".join(lines), len(lines), len(lines)))
    sequential = [fastpath.scan_table(block, 0, STORED) for block in blocks]
    for _ in range(3):
        with ThreadPoolExecutor(2) as pool:
            concurrent = list(pool.map(lambda block: fastpath.scan_table(block, 0, STORED), blocks))
        for (records, table, pending), (records_1, table_1, pending_1) in zip(concurrent, sequential, strict=True):
            assert (records, pending) == (records_1, pending_1)
            assert_same_tables(table, table_1)


def test_without_the_module_everything_is_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "_fastxapi", None)
    block = LineBlock("f", 5, b"{}\n\n[1]", 3, 2)
    records, table, pending = fastpath.scan_table(block, 3, STORED)
    assert (records, pending, table.num_rows) == (2, [(3, 5, b"{}"), (4, 7, b"[1]")], 0)
    assert table.schema.equals(ROW_SCHEMA)


# ---- SHA-1 ---------------------------------------------------------------------------------


def sha1_inputs() -> list[bytes]:
    rng = random.Random(5)
    sizes = [*range(0, 200), 1000, 1359, 4096, 65_537, 1_000_003]
    return [bytes(rng.randrange(256) for _ in range(min(size, 300))) * (size // 300 + 1) for size in sizes]


def test_sha1_paths_equal_hashlib() -> None:
    assert "OpenSSL" in fastpath.REASON, fastpath.REASON  # this machine's Python has OpenSSL
    for data in sha1_inputs():
        expected = hashlib.sha1(data).digest()
        assert _fastxapi.sha1(data) == expected, len(data)
        assert _fastxapi.sha1(data, True) == expected, len(data)


def test_portable_sha1_derives_the_same_ids() -> None:
    """Configured without libcrypto (or with a library that has no SHA-1), the portable SHA-1 derives the ids."""
    statements = bench_statements(200)
    data = b"\n".join(orjson.dumps(s) for s in statements)
    block = LineBlock("f.ndjson", 1, data, 200, 200)
    _, with_openssl, _ = fastpath.scan_table(block, 0, STORED)
    iris = tuple(iri for _, iri in PROFILE_COLUMNS)
    try:
        for library in (None, "libc.so.6", "/nonexistent/libcrypto.so"):
            assert "portable" in _fastxapi.configure(NAMESPACE.bytes, vocab.VOIDED, iris, library)
            _, portable, _ = fastpath.scan_table(block, 0, STORED)
            assert_same_tables(portable, with_openssl)
    finally:
        assert "OpenSSL" in _fastxapi.configure(NAMESPACE.bytes, vocab.VOIDED, iris, fastpath.libcrypto())
    assert with_openssl.column("id").to_pylist() == [derived_id(s) for s in statements]


def test_floats_read_right_before_configure() -> None:
    """canonical() needs no configure(): a long float once crashed the process before it."""
    code = "import lat.ingest._fastxapi as f; print(f.canonical(b'[0.30000000000000004]').decode())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0.30000000000000004]"
