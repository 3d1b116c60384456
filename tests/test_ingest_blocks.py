"""NDJSON read in blocks of lines: line numbers, blank lines and exact batch sizes."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from lat.config import Settings
from lat.errors import LatError
from lat.ingest import engine as ingest
from lat.ingest import readers
from lat.ingest.batches import build
from lat.ingest.engine import _chunks, _file_parts, _units
from lat.ingest.readers import LineBlock
from lat.store.database import connect


def write(path: Path) -> None:
    # line 1 good, 2 blank, 3 whitespace, 4 CRLF, 5 not JSON, 6 good without a final newline
    path.write_bytes(b'{"a": 1}\n\n  \t\n{"b": 2}\r\n{oops\n{"c": 3}')


def records(parts: list[LineBlock]) -> list[tuple[int, bytes]]:
    return [record for part in parts for record in part.numbered()]


def block(text: bytes, first_line: int = 1) -> LineBlock:
    return readers._block("s", first_line, text)


@pytest.mark.parametrize("size", [1, 7, 1 << 20])
def test_blocks_keep_line_numbers_and_skip_blank_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    path = tmp_path / "x.ndjson"
    write(path)
    monkeypatch.setattr(readers, "BLOCK", size)  # lines straddle block ends when small
    parts = list(readers.read_parts(path, "src"))
    assert all(isinstance(p, LineBlock) and p.source == "src" for p in parts)
    assert sum(p.records for p in parts) == 4
    assert records(parts) == [(1, b'{"a": 1}'), (4, b'{"b": 2}'), (5, b"{oops"), (6, b'{"c": 3}')]


@pytest.mark.parametrize("size", [1, 7, 4096, 1 << 20])
@pytest.mark.parametrize("text", [
    b'{"a": 1}\n\n  \t\n{"b": 2}\r\n{oops\n{"c": 3}', b'{"a": 1}\n{"b": 2}\n', b'{"a": 1}\n \t ', b"", b"\n\n",
    b"\n".join(b'{"n": %d, "pad": "%s"}' % (n, b"x" * (n * 997 % 9000)) for n in range(40)),
])  # fmt: skip
def test_a_mapped_file_gives_the_blocks_of_its_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, text: bytes) -> None:
    """A plain file is read as mapped views, a .gz one as a stream: same records, same progress."""
    monkeypatch.setattr(readers, "BLOCK", size)  # windows grow past lines longer than a block
    plain, packed = tmp_path / "x.ndjson", tmp_path / "x.ndjson.gz"
    plain.write_bytes(text)
    packed.write_bytes(gzip.compress(text, mtime=0))
    seen: list[int] = []
    mapped = list(readers.read_parts(plain, "s", seen.append))
    streamed = list(readers.read_parts(packed, "s"))
    assert all(isinstance(part.data, memoryview) for part in mapped)  # type: ignore[union-attr]
    assert records(mapped) == records(streamed)  # type: ignore[arg-type]
    assert sum(p.records for p in mapped) == len(records(streamed))  # type: ignore[union-attr,arg-type]
    assert sum(seen) == len(text)


@pytest.mark.parametrize(("text", "lines", "count"), [
    (b"a\nb\nc", 3, 3), (b"\na", 2, 1), (b"a\n", 2, 1), (b"a\n \nb", 3, 2), (b"a\r\nb", 2, 2), (b"", 1, 0),
    (b"a\n\tb", 2, 2),  # leading space on a line with text is not a blank line
])  # fmt: skip
def test_a_block_counts_its_lines_and_records(text: bytes, lines: int, count: int) -> None:
    got = block(text)
    assert (got.lines, got.records) == (lines, count)


def test_batches_hold_exactly_the_batch_size_even_across_blank_lines_and_files(tmp_path: Path) -> None:
    first, second = tmp_path / "1.ndjson", tmp_path / "2.ndjson"
    write(first)
    second.write_bytes(b'{"d": 4}\n{"e": 5}\n')
    parts = [*_file_parts(first, lambda n: None), *_file_parts(second, lambda n: None)]
    chunks = list(_chunks(parts, 3))
    sizes = [sum(p.records for p in chunk) for chunk in chunks]  # type: ignore[union-attr]
    assert sizes == [3, 3]
    assert [records(chunk) for chunk in chunks] == [  # type: ignore[arg-type]
        [(1, b'{"a": 1}'), (4, b'{"b": 2}'), (5, b"{oops")],
        [(6, b'{"c": 3}'), (1, b'{"d": 4}'), (2, b'{"e": 5}')],
    ]
    batch = build(chunks[0], "2025-01-01T00:00:00.000000Z")
    assert (batch.read, batch.rejects.num_rows) == (3, 3)  # none is a statement
    assert batch.rejects.column("line").to_pylist() == [1, 4, 5]


def test_a_block_splits_after_the_requested_records() -> None:
    blanks = block(b"a\n\nb\n \nc\nd", first_line=10)
    head, rest = blanks.split(2)
    assert (head.first_line, head.data, head.lines, head.records) == (10, b"a\n\nb", 3, 2)
    assert (rest.first_line, rest.data, rest.lines, rest.records) == (13, b" \nc\nd", 3, 2)
    plain = block(b"a\nb\nc")
    head, rest = plain.split(1)
    assert [(head.first_line, head.data), (rest.first_line, rest.data)] == [(1, b"a"), (2, b"b\nc")]
    whole, empty = plain.split(3)
    assert whole is plain and (empty.first_line, empty.lines, empty.records) == (4, 0, 0)


def test_builder_tasks_number_records_from_their_place_in_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "UNIT_ITEMS", 2)
    items = [("s", n, None, b"{}", None) for n in range(5)]
    lines = block(b"a\n\nb\nc", first_line=7)
    units = list(_units([*items[:3], lines, *items[3:]]))
    assert [(seq, len(parts), records) for seq, parts, records in units] == [(0, 2, 2), (2, 1, 1), (3, 1, 3), (6, 2, 2)]


def test_builder_threads_keep_batches_exact_and_the_first_record_of_an_id_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "BLOCK", 600)  # a few lines per block: a batch is built by several threads
    stmt = {"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"}}
    sid = "d0c5e7a4-6b2f-4c1e-9a3b-5f7e8d9c0b1a"
    lines = [orjson.dumps({**stmt, "object": {"id": f"https://x.example.org/{n}"}}) for n in range(20)]
    lines[3] = orjson.dumps({**stmt, "id": sid, "object": {"id": "https://x.example.org/first"}})
    lines[17] = orjson.dumps({**stmt, "id": sid, "object": {"id": "https://x.example.org/second"}})
    data = tmp_path / "s.ndjson"
    data.write_bytes(b"\n".join(lines))
    assert len(list(readers.read_parts(data, "s"))) > 4
    settings = Settings(home=tmp_path / "home", ingest_workers=2, ingest_batch_size=20)
    summary = ingest.ingest_paths([data], settings)
    assert summary.as_dict() == {"read": 20, "stored": 19, "duplicates": 0, "conflicts": 1, "rejected": 0, "voided": 0}
    with connect(settings, read_only=True) as con:
        assert con.execute("SELECT object_id FROM statements WHERE id = ?", [sid]).fetchall() == [("https://x.example.org/first",)]
        assert con.execute("SELECT line FROM conflicts").fetchall() == [(18,)]
    again = Settings(home=tmp_path / "again", ingest_workers=2, ingest_batch_size=6)
    assert ingest.ingest_paths([data], again).stored == 19
    with connect(again, read_only=True) as con:  # 20 records in batches of 6, 6, 6 and 2: four transactions
        assert con.execute("SELECT count(DISTINCT stored) FROM statements").fetchall() == [(4,)]


def test_a_read_error_in_the_middle_stops_the_ingest_with_the_batches_before_it_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "BLOCK", 600)  # reading goes on while the first batches are written
    stmt = {"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"}}
    text = b"\n".join(orjson.dumps({**stmt, "object": {"id": f"https://x.example.org/{n}"}}) for n in range(200))
    data = tmp_path / "s.ndjson.gz"
    whole = gzip.compress(text, mtime=0)
    data.write_bytes(whole[: len(whole) * 3 // 4])  # a truncated download: the end is missing
    settings = Settings(home=tmp_path / "home", ingest_workers=2, ingest_batch_size=10)
    with pytest.raises(LatError, match="s.ndjson.gz: cannot read"):
        ingest.ingest_paths([data], settings)
    with connect(settings, read_only=True) as con:
        (stored,) = con.execute("SELECT count(*) FROM statements").fetchall()[0]
    assert 0 < stored < 200 and stored % 10 == 0
