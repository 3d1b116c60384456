"""Reading statement files as a stream of raw items, in bounded memory.

Formats: ``.json`` (one statement, or an array of them), ``.ndjson`` / ``.jsonl`` (one
statement per line), and any of these compressed as ``.gz``. Each item comes out as its raw
bytes with where it was found (line, and index within a JSON array); parsing happens later
(possibly in a worker process), so a broken item is reported, not fatal.

A JSON array is split into its elements by a small structural scanner (strings, brackets,
commas, newlines) over 1 MiB chunks, so a multi-gigabyte array never sits in memory and each
element keeps the line it starts on.
"""

from __future__ import annotations

import gzip
import io
import mmap
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from lat.errors import LatError

_Part = TypeVar("_Part")  # what a file reader yields (items, or blocks of lines)
Text = bytes | memoryview  # the text of a block: read, or a view of the file mapped into memory

SUFFIXES = (".json", ".ndjson", ".jsonl")
CHUNK = 1 << 20
BLOCK = 4 << 20  # NDJSON is read this many bytes at a time and split into lines in one call
_STEP = 1 << 18  # bytes of a block looked at in one vectorised step when counting its lines
MAX_ITEM = 64 << 20  # an element bigger than this is not a statement: stop instead of eating memory

# A whole string (unrolled loop: fast in Python's re), a lone quote (a string cut by the chunk
# end), or one structural character.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{},\n]', re.DOTALL)


@dataclass(frozen=True)
class Item:
    """One raw statement as found in a file."""

    line: int | None  # 1-based line where it starts
    index: int | None  # 0-based position in a JSON array; None for NDJSON and single objects
    raw: bytes


@dataclass
class LineBlock:
    r"""Consecutive lines of an NDJSON file as one bytes-like object (cheaper to read, count and
    hand to a builder thread, and to the C fast path, than an object per line). For a plain
    file it is a view of the file mapped into memory (see :func:`_mapped_blocks`).

    ``data`` holds ``lines`` lines joined by ``\n`` (no final newline); blank ones stay (they
    keep the line numbers right) but are no records; ``records`` counts the others.
    """

    source: str
    first_line: int  # 1-based number of the first line in data
    data: Text
    lines: int
    records: int

    def numbered(self) -> Iterator[tuple[int, bytes]]:
        """(line number, stripped text) of each record."""
        for number, text in enumerate(bytes(self.data).split(b"\n"), start=self.first_line):
            text = text.strip()
            if text:
                yield number, text

    def split(self, count: int) -> tuple[LineBlock, LineBlock]:
        """The block of the first ``count`` records and the block of the rest."""
        if count == self.records:
            return self, LineBlock(self.source, self.first_line + self.lines, b"", 0, 0)
        if self.records == self.lines:  # no blank lines: the count-th newline ends the head
            end = int(_newlines(self.data)[count - 1])
            cut = count
        else:
            parts = bytes(self.data).split(b"\n")
            seen = cut = 0
            while seen < count:
                seen += bool(parts[cut].strip())
                cut += 1
            end = sum(map(len, parts[:cut])) + cut - 1
        head = replace(self, data=self.data[:end], lines=cut, records=count)
        rest = replace(self, first_line=self.first_line + cut, data=self.data[end + 1 :], lines=self.lines - cut, records=self.records - count)
        return head, rest


def _newlines(data: Text) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Offsets of the newlines in ``data`` (vectorised: a Python loop or bytes.split costs 10x more)."""
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)


def _block(source: str, first_line: int, data: Text) -> LineBlock:
    lines, braced = _count_lines(data)
    # A line whose first byte is "{" is no blank line: when that holds for every line (compact
    # NDJSON, the usual case), every line is a record and nothing needs counting one by one.
    records = lines if braced else sum(map(bool, map(bytes.strip, bytes(data).split(b"\n"))))
    return LineBlock(source, first_line, data, lines, records)


def _count_lines(data: Text) -> tuple[int, bool]:
    """(lines in ``data``, whether every one of them starts with "{").

    Vectorised, in steps of :data:`_STEP` bytes: one comparison array of a whole block would be
    4 MiB of fresh memory (page faults) per block.
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    size = len(codes)
    lines, braced = 1, bool(size) and codes[0] == 0x7B
    newline = np.empty(min(size, _STEP), dtype=bool)
    for at in range(0, size, _STEP):
        step = codes[at : at + _STEP]
        ends = np.flatnonzero(np.equal(step, 0x0A, out=newline[: len(step)]))
        lines += len(ends)
        if braced and len(ends):
            starts = ends + (at + 1)
            braced = starts[-1] < size and bool((codes[starts] == 0x7B).all())
    return lines, bool(braced)


class ItemError(Exception):
    """A part of a file that could not be split into items (reported as a rejected item)."""

    def __init__(self, line: int | None, raw: bytes, reason: str, index: int | None = None) -> None:
        super().__init__(reason)
        self.line, self.raw, self.reason, self.index = line, raw, reason, index


def is_supported(path: Path) -> bool:
    """Whether ``path`` is a JSON or NDJSON file LAT reads (.json, .ndjson, .jsonl, optionally gzipped)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(SUFFIXES)


def expand(paths: Sequence[Path], on_skip: Callable[[Path, str], None] | None = None) -> list[Path]:
    """The statement files named by ``paths``; directories are walked recursively (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if is_supported(child):
                    files.append(child)
                elif on_skip:
                    on_skip(child, "not a .json, .ndjson, .jsonl or .gz file")
        elif path.is_file():
            if not is_supported(path):
                raise LatError(f"{path}: unsupported file type; expected .json, .ndjson, .jsonl (optionally .gz)")
            files.append(path)
        else:
            raise LatError(f"{path}: no such file or directory")
    return files


def read_parts(path: Path, source: str, on_progress: Callable[[int], None] | None = None) -> Iterator[LineBlock | Item | ItemError]:
    """Like :func:`read_items`, but NDJSON comes in :class:`LineBlock`s of about ``BLOCK`` bytes."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".json"):
        yield from read_items(path, on_progress)
        return
    yield from _read(path, on_progress, lambda stream, counter: _ndjson_blocks(stream, source, counter))


def _ndjson_blocks(stream: io.BufferedIOBase, source: str, progress: _Progress) -> Iterator[LineBlock]:
    """Blocks of whole lines."""
    if stream is progress.raw and _is_plain_file(stream):
        yield from _mapped_blocks(stream, source, progress)
        return
    line, rest = 1, b""
    while chunk := stream.read(BLOCK):
        data = rest + chunk if rest else chunk
        end = data.rfind(b"\n")
        if end < 0:  # no line end yet: a line longer than the block
            rest = data
            continue
        block = _block(source, line, data[:end])
        rest = data[end + 1 :]
        yield block
        line += block.lines
        progress.tick()
    if rest.strip():
        yield _block(source, line, rest)


def _is_plain_file(stream: io.BufferedIOBase) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


def _mapped_blocks(raw: io.BufferedIOBase, source: str, progress: _Progress) -> Iterator[LineBlock]:
    """Blocks of whole lines of a plain file, as views of the file mapped into memory.

    Reading copied each block's text three times into fresh memory, and faulting that memory
    in cost more than the copies (docs/ingest.md has the figures).
    Each block maps a window of its own, unmapped once the block is gone, so memory holds only
    the blocks in flight. The file's position follows the blocks (the progress bar reads it).
    """
    size = os.fstat(raw.fileno()).st_size
    line, start = 1, 0
    while start < size:
        base = start - start % mmap.ALLOCATIONGRANULARITY  # a mapping starts on a page
        window = BLOCK
        while True:
            stop = min(size, start + window)
            mapped = mmap.mmap(raw.fileno(), stop - base, access=mmap.ACCESS_READ, offset=base)
            end = mapped.rfind(b"\n", start - base)
            if end >= 0 or stop == size:
                break
            window *= 2  # a line longer than the window
        data = memoryview(mapped)[start - base : end if end >= 0 else stop - base]
        start = base + end + 1 if end >= 0 else size
        raw.seek(start)
        if end < 0 and not bytes(data).strip():  # blank text after the last newline
            return
        block = _block(source, line, data)
        yield block
        line += block.lines
        progress.tick()


def read_items(path: Path, on_progress: Callable[[int], None] | None = None) -> Iterator[Item | ItemError]:
    """Items of one file; ``on_progress(n)`` receives bytes of the file (as stored) consumed."""
    name = path.name.lower().removesuffix(".gz")
    yield from _read(path, on_progress, _json_items if name.endswith(".json") else _ndjson_items)


def _read(path: Path, on_progress: Callable[[int], None] | None, parts: Callable[[io.BufferedIOBase, _Progress], Iterator[_Part]]) -> Iterator[_Part]:
    """``parts`` of the file's (decompressed) bytes, with the progress reported and read errors as LatError."""
    with path.open("rb") as raw:
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
        counter = _Progress(raw, on_progress)
        try:
            yield from parts(stream, counter)
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            raise LatError(f"{path}: cannot read: {exc}") from None
        counter.done()


class _Progress:
    """Reports how far into the file (as stored on disk) the reader is."""

    def __init__(self, raw: io.BufferedIOBase, callback: Callable[[int], None] | None) -> None:
        self.raw, self.callback, self.seen = raw, callback, 0

    def tick(self) -> None:
        if self.callback:
            pos = self.raw.tell()
            if pos > self.seen:
                self.callback(pos - self.seen)
                self.seen = pos

    def done(self) -> None:
        if self.callback:
            end = self.raw.seek(0, 2)
            if end > self.seen:
                self.callback(end - self.seen)
                self.seen = end


def _ndjson_items(stream: io.BufferedIOBase, progress: _Progress) -> Iterator[Item]:
    for number, line in enumerate(stream, start=1):
        text = line.strip()
        if text:
            yield Item(number, None, text)
        if number % 4096 == 0:
            progress.tick()


def _json_items(stream: io.BufferedIOBase, progress: _Progress) -> Iterator[Item | ItemError]:
    scanner = _ArrayScanner(stream)
    for item in scanner:
        yield item
        if isinstance(item, Item) and item.index is not None and item.index % 1024 == 0:
            progress.tick()


class _ArrayScanner:
    """Splits a JSON document into its top-level array elements (or its single object)."""

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self.stream = stream
        self.buf = b""
        self.eof = False

    def __iter__(self) -> Iterator[Item | ItemError]:
        try:
            head = self._head()
        except ItemError as exc:
            yield exc
            return
        if head is None:
            return
        opener, line, pos = head
        if opener == ord("{"):
            yield from self._single(line, pos)
        else:
            yield from self._array(line, pos + 1)

    def _head(self) -> tuple[int, int, int] | None:
        """The first non-space byte, its line and offset; an ItemError when it is not [ or {."""
        line = 1
        while True:
            chunk = self.stream.read(CHUNK)
            if not chunk:
                return None  # empty file: nothing to ingest
            self.buf = chunk
            stripped = chunk.lstrip()
            if stripped:
                pos = len(chunk) - len(stripped)
                line += chunk.count(b"\n", 0, pos)
                if stripped[0] not in b"[{":
                    raise ItemError(line, chunk[pos : pos + 2000], "not JSON: the file does not start with '[' or '{'")
                return stripped[0], line, pos
            line += chunk.count(b"\n")

    def _fill(self, keep_from: int) -> int:
        """Keep ``buf[keep_from:]`` plus the next chunk; returns the shift of offsets (or -1 at EOF)."""
        chunk = self.stream.read(CHUNK)
        if not chunk:
            return -1
        self.buf = self.buf[keep_from:] + chunk
        if len(self.buf) > MAX_ITEM + CHUNK:
            raise LatError("a JSON element is larger than 64 MiB: is this an array of statements?")
        return keep_from

    def _single(self, line: int, start: int) -> Iterator[Item | ItemError]:
        """A document holding one object: read it whole (bounded by MAX_ITEM)."""
        while (shift := self._fill(0)) >= 0:
            del shift
        yield Item(line, None, self.buf[start:].strip())

    def _array(self, line: int, pos: int) -> Iterator[Item | ItemError]:
        depth, index = 1, 0
        start, start_line = pos, line  # where the current element's text begins
        while True:
            cut = None
            for match in _TOKEN.finditer(self.buf, pos):
                token = match.group()
                first = token[0]
                if first == 0x22:  # '"'
                    if len(token) == 1:
                        cut = match.start()
                        break
                elif first == 0x0A:
                    line += 1
                elif first in b"[{":
                    depth += 1
                elif first in b"]}":
                    depth -= 1
                    if depth == 0:
                        yield from self._element(start, match.start(), start_line, index, last=True)
                        yield from self._trailer(match.end(), line)
                        return
                elif depth == 1:  # a comma between elements
                    yield from self._element(start, match.start(), start_line, index, last=False)
                    index += 1
                    start, start_line = match.end(), line
            else:
                cut = len(self.buf)
            shift = self._fill(min(start, cut))
            if shift < 0:
                text = self.buf[start:].strip()
                yield ItemError(start_line + _leading_lines(self.buf[start:]), text[:2000], "not JSON: the file ends inside the array", index)
                return
            start -= shift
            pos = cut - shift

    def _element(self, start: int, end: int, line: int, index: int, *, last: bool) -> Iterator[Item]:
        raw = self.buf[start:end]
        text = raw.strip()
        if text or not last:  # "[]" and a trailing "]" hold no element
            yield Item(line + _leading_lines(raw), index, text)

    def _trailer(self, pos: int, line: int) -> Iterator[ItemError]:
        rest = self.buf[pos:]
        while not rest.strip() and (chunk := self.stream.read(CHUNK)):
            rest = chunk
        if rest.strip():
            yield ItemError(line, rest.strip()[:2000], "not JSON: unexpected data after the closing ']'")


def _leading_lines(raw: bytes) -> int:
    """Newlines before the first non-space byte (so an element's line is where it starts)."""
    return raw.count(b"\n", 0, len(raw) - len(raw.lstrip()))
