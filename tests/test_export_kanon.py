"""The anonymisation parts on hand-made data: hierarchies, the k-anonymity ladder, pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import polars as pl
import pytest
from pydantic import SecretStr

from lat.config import Settings
from lat.errors import LatError
from lat.export import generalise as gen
from lat.export.anonymise import Pseudonymiser, export_key
from lat.export.kanon import enforce, smallest_class

WHEN = datetime(2025, 9, 24, 15, 0, tzinfo=UTC)  # ISO week 39


def people() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "group_raw": ["leader", "leader", "teacher", "teacher", "teacher", "student"],
            "when": [WHEN] * 6,
        }
    )


def test_ladder_generalises_then_suppresses_what_is_still_rare() -> None:
    # leader 2, teacher 3, student 1: 3 rows below k=3 > budget 1 -> staff 5, student 1 -> suppress 1
    result = enforce(people(), [gen.group("group", "group_raw"), gen.period("period", "when")], ["group"], 3, ids=["id"], max_suppression=0.2)
    assert result.frame["group"].to_list() == ["staff"] * 5
    assert result.frame["period"].to_list() == ["2025-W39"] * 5
    assert result.suppressed_keys["id"].to_list() == [6]
    assert (result.rows_in, result.rows_suppressed, result.cells_generalised) == (6, 1, 5)
    assert result.levels == {"group": "staff or student", "period": "week"}
    assert smallest_class(result.frame, ["group", "period"]) >= 3


def test_no_step_when_already_k_anonymous_and_everything_rare_suppressed_at_the_top() -> None:
    kept = enforce(people(), [gen.period("period", "when")], ["period"], 6, ids=["id"])
    assert kept.rows_suppressed == 0 and kept.levels == {"period": "week"} and kept.cells_generalised == 0
    gone = enforce(people(), [gen.period("period", "when")], ["period", "period"], 7, ids=["id"])
    assert gone.frame.height == 0 and gone.levels == {"period": "withheld"}


def test_size_bands() -> None:
    frame = pl.DataFrame({"pupils": [150, 200, 399, 400, 799, 800, None]})
    fine, coarse, top = gen.size_band("size", "pupils").levels
    assert frame.select(fine.alias("b"))["b"].to_list() == ["<200", "200-399", "200-399", "400-599", "600-799", "800+", None]
    assert frame.select(coarse.alias("b"))["b"].to_list() == ["<400", "<400", "<400", "400+", "400+", "400+", None]
    assert frame.select(top.alias("t"))["t"].to_list() == ["*"]


def test_pseudonyms_are_hmac_sha256_of_kind_and_id() -> None:
    key = b"k" * 32
    expected = hmac.new(key, b"school\x1fee-s01001", hashlib.sha256).hexdigest()[:12]
    assert Pseudonymiser(key).school("ee-s01001") == f"S-{expected}"
    assert Pseudonymiser(key).respondent("x").startswith("R-") and len(Pseudonymiser(key).respondent("x")) == 18
    assert Pseudonymiser(b"j" * 32).school("ee-s01001") != f"S-{expected}"


def test_export_key_is_required_and_long_enough(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LatError, match="LAT_EXPORT_KEY"):
        export_key(Settings(home=tmp_path, export_key=None))
    with pytest.raises(LatError, match="shorter than 16"):
        export_key(Settings(home=tmp_path, export_key=SecretStr("short")))
    assert export_key(Settings(home=tmp_path, export_key=SecretStr("x" * 20))) == b"x" * 20
