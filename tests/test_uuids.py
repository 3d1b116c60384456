"""lat.xapi.uuids: ids read by numpy exactly as uuid.UUID reads them, and the others left alone."""

from __future__ import annotations

import random
import uuid

import numpy as np
import pyarrow as pa
import pytest

from lat.xapi.uuids import halves

MALFORMED = [
    "",
    "nope",
    "{12345678-1234-1234-1234-123456789abc}",
    "12345678x1234-1234-1234-123456789abc",
    "12345678-1234-1234-1234-123456789abg",
    "123456781234123412341234567890ab",
    "12345678-1234-1234-1234-12345678ä",
]


def spellings(rng: random.Random, count: int) -> list[str]:
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(count)]
    return [i.upper() if n % 3 == 0 else i for n, i in enumerate(ids)]


def expected(ids: list[str | None]) -> tuple[list[int], list[int], list[bool]]:
    numbers = [uuid.UUID(i).int if i is not None and i not in MALFORMED else None for i in ids]
    return ([0 if n is None else n >> 64 for n in numbers], [0 if n is None else n & (2**64 - 1) for n in numbers], [n is not None for n in numbers])


@pytest.mark.parametrize("seed", range(5))
def test_halves_are_the_128_bit_numbers_of_the_ids(seed: int) -> None:
    rng = random.Random(seed)
    ids: list[str | None] = list(spellings(rng, 300))
    if seed:  # seed 0 keeps every id well-formed (the matrix path)
        for bad in [*MALFORMED, None]:
            ids[rng.randrange(len(ids))] = bad
    column = pa.chunked_array([pa.array(ids[:100], pa.string()), pa.array(ids[100:], pa.string())])
    hi, lo, read = halves(column)
    assert (hi.dtype, lo.dtype, read.dtype) == (np.uint64, np.uint64, bool)
    assert (hi.tolist(), lo.tolist(), read.tolist()) == expected(ids)


def test_a_slice_is_read_from_its_own_offset() -> None:
    ids = spellings(random.Random(9), 50)
    hi, lo, read = halves(pa.array(ids).slice(7, 20))
    assert (hi.tolist(), lo.tolist(), read.tolist()) == expected(ids[7:27])


@pytest.mark.parametrize("values", [[], [""], [None], ["", None]])
def test_empty_and_null_texts_are_not_read(values: list[str | None]) -> None:
    hi, lo, read = halves(pa.array(values, pa.string()))
    assert (hi.tolist(), lo.tolist(), read.tolist()) == ([0] * len(values), [0] * len(values), [False] * len(values))
