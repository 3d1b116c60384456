"""``lat pull`` against a real Ralph LRS process (tests/ralph_lrs.py), and its pure helpers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lat.config import get_settings
from lat.errors import LatError
from lat.ingest.pull import LrsClient, check_since, newest, normalise_endpoint
from lat.store import database as store
from lat.xapi import vocab
from ralph_lrs import DroppingProxy, Ralph, free_port, running_ralph

LAT = str(Path(sys.executable).parent / "lat")


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    with running_ralph(tmp_path / "ralph") as lrs:
        yield lrs


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def meeting(n: int) -> dict[str, Any]:
    """A mentoring-meeting statement with its own id."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:mentor{n}@hub.example"},
        "verb": {"id": vocab.ATTENDED, "display": {"en": "attended"}},
        "object": {"id": f"https://hub.example/meetings/{n}", "definition": {"type": vocab.MEETING}},
    }


def post_meetings(ralph: Ralph, start: int, count: int, per_post: int = 5) -> list[str]:
    ids: list[str] = []
    for first in range(start, start + count, per_post):
        batch = [meeting(n) for n in range(first, min(first + per_post, start + count))]
        ralph.post(batch)
        ids += [s["id"] for s in batch]
    return ids


def pull_args(endpoint: str, key: str, secret: str, *extra: str) -> list[str]:
    return [LAT, "pull", "--endpoint", endpoint, "--key", key, "--secret", secret, *extra]


def run_pull(ralph: Ralph, *extra: str, endpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    args = pull_args(endpoint or ralph.endpoint, ralph.key, ralph.secret, *extra)
    return subprocess.run(args, capture_output=True, text=True, env=dict(os.environ), timeout=120)


def stored_ids() -> list[str]:
    with store.session(get_settings()) as con:
        return [str(r[0]) for r in con.execute("SELECT id FROM statements ORDER BY id").fetchall()]


def cursor(endpoint: str) -> tuple[Any, ...] | None:
    with store.session(get_settings()) as con:
        rows = con.execute("SELECT since, more FROM pull_cursors WHERE endpoint = ?", [endpoint]).fetchall()
    return rows[0] if rows else None


# --- against Ralph -----------------------------------------------------------------------------


def test_first_pull_gets_everything_the_next_only_what_is_new(ralph: Ralph, home: Path) -> None:
    first = post_meetings(ralph, 0, 7)
    done = run_pull(ralph, "--limit", "3")
    assert done.returncode == 0, done.stderr
    assert "7 statements in 3 pages: stored 7, duplicates 0" in done.stdout
    assert [line.split(":")[0] for line in done.stderr.splitlines()] == ["page 1", "page 2", "page 3"]
    assert stored_ids() == sorted(first)
    since, more = cursor(ralph.endpoint) or (None, None)
    assert more is None and since is not None
    with store.session(get_settings()) as con:
        sources = con.execute("SELECT DISTINCT source FROM statements").fetchall()
    assert sources == [(ralph.endpoint,)]

    nothing = run_pull(ralph, "--limit", "3")
    assert nothing.returncode == 0, nothing.stderr
    assert "0 statements in 1 pages: stored 0" in nothing.stdout

    later = post_meetings(ralph, 100, 2)
    again = run_pull(ralph, "--limit", "3")
    assert "2 statements in 1 pages: stored 2, duplicates 0" in again.stdout
    assert stored_ids() == sorted(first + later)
    assert cursor(ralph.endpoint)[0] > since  # type: ignore[index]  # same format, later time


def test_since_is_exclusive_and_the_endpoint_may_name_statements(ralph: Ralph, home: Path) -> None:
    ids = post_meetings(ralph, 0, 6, per_post=1)
    run_pull(ralph)
    with store.session(get_settings()) as con:
        third = con.execute('SELECT CAST("timestamp" AS VARCHAR) FROM statements WHERE id = ?', [ids[2]]).fetchall()[0][0]
    other_home = home.parent / "other"
    env = {**os.environ, "LAT_HOME": str(other_home)}
    args = pull_args(ralph.endpoint + "/statements/", ralph.key, ralph.secret, "--since", third.replace(" ", "T"))
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 statements in 1 pages: stored 3" in done.stdout  # the 4th, 5th and 6th


def test_voiding_statements_come_through_and_void(ralph: Ralph, home: Path) -> None:
    [target] = post_meetings(ralph, 0, 1)
    run_pull(ralph)
    ralph.post(
        [
            {
                "actor": {"mbox": "mailto:coordinator@hub.example"},
                "verb": {"id": vocab.VOIDED},
                "object": {"objectType": "StatementRef", "id": target},
            }
        ]
    )
    done = run_pull(ralph)
    assert "stored 1" in done.stdout and "voided 1" in done.stdout
    with store.session(get_settings()) as con:
        assert con.execute("SELECT voided FROM statements WHERE id = ?", [target]).fetchall() == [(True,)]


def test_a_killed_pull_resumes_without_loss_or_duplicates(ralph: Ralph, home: Path) -> None:
    posted = post_meetings(ralph, 0, 40, per_post=10)
    args = pull_args(ralph.endpoint, ralph.key, ralph.secret, "--limit", "2")
    puller = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    assert puller.stderr is not None
    line = puller.stderr.readline()
    assert line.startswith("page 1:"), line
    puller.send_signal(signal.SIGKILL)  # no chance to clean up, as with a power cut
    puller.wait(timeout=30)
    assert 2 <= len(stored_ids()) < 40  # it was killed mid-pull, after at least one page
    resumed = run_pull(ralph, "--limit", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert "duplicates" in resumed.stdout
    ids = stored_ids()
    assert ids == sorted(posted)  # all 40, each once


def test_a_connection_dropped_mid_page_resumes_without_loss_or_duplicates(ralph: Ralph, home: Path) -> None:
    posted = post_meetings(ralph, 0, 11)  # pages of 3, 3, 3, 2
    proxy = DroppingProxy(int(ralph.endpoint.split(":")[2].split("/")[0]))
    endpoint = f"http://127.0.0.1:{proxy.port}/xAPI"
    try:
        proxy.drop_on = 3  # the third request (page 3) gets half its response
        cut = run_pull(ralph, "--limit", "3", endpoint=endpoint)
        assert cut.returncode == 1
        assert "connection to" in cut.stderr and "was lost" in cut.stderr and "Traceback" not in cut.stderr
        assert len(stored_ids()) == 6  # pages 1 and 2
        assert cursor(endpoint)[1] is not None  # type: ignore[index]  # the next page is remembered
        proxy.drop_on = None
        resumed = run_pull(ralph, "--limit", "3", endpoint=endpoint)
        assert resumed.returncode == 0, resumed.stderr
        assert "5 statements in 2 pages: stored 5, duplicates 0" in resumed.stdout  # went on from page 3
        assert stored_ids() == sorted(posted)
    finally:
        proxy.close()


def test_a_forgotten_next_page_restarts_from_since(ralph: Ralph, home: Path) -> None:
    first = post_meetings(ralph, 0, 3)
    run_pull(ralph)
    with store.session(get_settings()) as con:  # as if a pull died and the LRS then expired its page
        con.execute("UPDATE pull_cursors SET more = '/xAPI/expired-page?p=7'")
    later = post_meetings(ralph, 10, 2)
    done = run_pull(ralph)
    assert done.returncode == 0, done.stderr
    assert "the saved next page is gone (HTTP 404)" in done.stderr
    assert "2 statements in 1 pages: stored 2, duplicates 0" in done.stdout
    assert stored_ids() == sorted(first + later)


def test_refused_credentials(ralph: Ralph, home: Path) -> None:
    post_meetings(ralph, 0, 2)
    done = subprocess.run(pull_args(ralph.endpoint, ralph.key, "wrong"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: The LRS at {ralph.endpoint} refused the credentials (HTTP 401); check --key and --secret.")
    assert stored_ids() == []


def test_an_unreachable_lrs(home: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/xAPI"
    done = subprocess.run(pull_args(endpoint, "k", "s"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"Cannot reach {endpoint}: connection refused" in done.stderr


# --- helpers, no server --------------------------------------------------------------------------


def test_endpoints_are_normalised() -> None:
    assert normalise_endpoint(" https://lrs.example/xapi/ ") == "https://lrs.example/xapi"
    assert normalise_endpoint("https://lrs.example/xapi/statements") == "https://lrs.example/xapi"
    with pytest.raises(LatError, match="not an http"):
        normalise_endpoint("lrs.example/xapi")
    with pytest.raises(LatError, match="query string"):
        normalise_endpoint("https://lrs.example/xapi?x=1")


def test_more_is_resolved_against_the_origin() -> None:
    client = LrsClient("https://lrs.example:8443/base/xAPI", "k", "s")
    assert client.resolve("/base/xAPI/statements?page=2") == "https://lrs.example:8443/base/xAPI/statements?page=2"
    assert client.resolve("https://other.example/more/1") == "https://other.example/more/1"
    assert client.first_url("2025-01-01T00:00:00Z", 10) == (
        "https://lrs.example:8443/base/xAPI/statements?ascending=true&limit=10&since=2025-01-01T00%3A00%3A00Z"
    )


def test_the_cursor_takes_the_newest_stored_of_a_page_in_any_order() -> None:
    page = [
        {"stored": "2025-03-01T10:00:00.000002+00:00"},
        {"stored": "2025-03-01T12:00:00+02:00"},  # = 10:00 UTC, earlier than the first
        {"stored": "2025-03-01T10:00:00.000001Z"},
        {"id": "no stored"},
    ]
    assert newest(None, page) == "2025-03-01T10:00:00.000002+00:00"
    assert newest("2025-03-02T00:00:00Z", page) == "2025-03-02T00:00:00Z"  # never moves back
    assert newest("2025-03-01T00:00:00Z", []) == "2025-03-01T00:00:00Z"


def test_since_is_checked_and_sent_in_utc() -> None:
    assert check_since("2025-03-01T12:00:00+02:00") == "2025-03-01T10:00:00Z"
    assert check_since("2025-03-01") == "2025-03-01T00:00:00Z"
    with pytest.raises(LatError, match="--since 'last week'"):
        check_since("last week")
