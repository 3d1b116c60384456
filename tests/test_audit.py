"""The audit log: recording, reading with --since and --action, and `lat audit`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lat.access import audit, authdb
from lat.cli import cli
from lat.config import Settings
from lat.errors import LatError


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    return Settings(home=tmp_path)


def test_entries_are_read_back_in_order_with_their_details(settings: Settings) -> None:
    audit.record(settings, "ada", audit.LOGIN, ip="10.0.0.1")
    audit.record(settings, "rey", audit.EXPORT, target="maturity_hub", detail={"rows": 12, "format": "csv"})
    entries = audit.read(settings)
    assert [(e.seq, e.actor, e.action, e.target, e.detail, e.ip) for e in entries] == [
        (1, "ada", "login", None, {}, "10.0.0.1"),
        (2, "rey", "export", "maturity_hub", {"format": "csv", "rows": 12}, None),
    ]
    assert [e.actor for e in audit.read(settings, action="export")] == ["rey"]


def test_since_filters_by_time(settings: Settings) -> None:
    audit.record(settings, "ada", audit.LOGIN)
    with authdb.session(settings) as con:  # make the first entry ten days old
        con.execute("UPDATE audit SET at = ?", ((datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="seconds"),))
    audit.record(settings, "ada", audit.LOGOUT)
    assert [e.action for e in audit.read(settings, since=audit.parse_since("7d"))] == ["logout"]
    assert [e.action for e in audit.read(settings, since=audit.parse_since("2000-01-01"))] == ["login", "logout"]


def test_since_parsing(settings: Settings) -> None:
    assert audit.parse_since("2025-03-01") == datetime(2025, 3, 1)
    assert abs((datetime.now(UTC) - audit.parse_since("12h")) - timedelta(hours=12)) < timedelta(seconds=5)
    with pytest.raises(LatError, match="--since 'yesterday': expected a date"):
        audit.parse_since("yesterday")


def test_lat_audit_prints_the_log(settings: Settings) -> None:
    audit.record(settings, "ada", audit.LOGIN, ip="10.0.0.1")
    audit.record(settings, "cli:root", audit.ERASURE, target="sha256:ab", detail={"statements": 3})
    result = CliRunner().invoke(cli, ["audit", "--action", "erasure"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].endswith("  cli:root  erasure  sha256:ab  statements=3")
    as_json = CliRunner().invoke(cli, ["audit", "--json", "--since", "1h"])
    assert as_json.output.count('"action": ') == 2
    empty = CliRunner().invoke(cli, ["audit", "--since", "2999-01-01"])
    assert empty.output == "No audit entries.\n"
    bad = CliRunner().invoke(cli, ["audit", "--since", "soon"])
    assert bad.exit_code == 1 and "expected a date" in str(bad.exception)
