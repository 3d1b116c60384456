"""Incremental pull from another LRS's Statement API (xAPI 1.0.3 Communication 2.1.3).

``GET {endpoint}/statements?since=...&ascending=true&limit=N``, then follow ``more`` until it
is empty. Each page is stored in one transaction and the cursor advanced right after it, so a
pull killed at any moment has stored whole pages and a cursor at or just before them: running it again
neither loses nor duplicates anything (ids dedupe the one page a kill may leave to fetch again).

The cursor (table ``pull_cursors``) keeps, per endpoint:

* ``since``: the largest ``stored`` of the statements pulled so far, as the LRS wrote it (sent
  back verbatim, so no precision is lost). ``since`` is exclusive and filters by ``stored``.
* ``more``: the next page of an unfinished pull. A resumed pull continues there; should the
  LRS no longer know that page (they may expire), it starts again from ``since``.

Our store sets its own ``stored`` on the statements it receives, as an LRS must (xAPI 1.0.3
Data 2.4.8: an LRS overwrites ``stored``); the source LRS's ``stored`` lives on in the cursor
only. Ids, timestamps and authorities are kept as pulled. See docs/pull.md.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from lat.errors import LatError

XAPI_VERSION = "1.0.3"
DEFAULT_LIMIT = 500
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Cursor:
    """Where the next pull from one endpoint starts."""

    since: str | None
    more: str | None


@dataclass
class Page:
    """One page of a StatementResult."""

    statements: list[dict[str, Any]]
    more: str | None


@dataclass
class PullSummary:
    """What one ``lat pull`` did."""

    endpoint: str
    pages: int = 0
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    voided: int = 0
    since: str | None = None  # the cursor after the pull
    notes: list[str] = field(default_factory=list)


# --- endpoints and times -----------------------------------------------------------------------


def normalise_endpoint(url: str) -> str:
    """``https://lrs.example/xapi/`` and ``.../xapi/statements`` both mean ``https://lrs.example/xapi``."""
    url = url.strip().rstrip("/")
    if url.endswith("/statements"):
        url = url[: -len("/statements")]
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LatError(f"--endpoint {url!r} is not an http(s) URL of an LRS (e.g. https://lrs.example.org/xAPI).")
    if parts.query or parts.fragment:
        raise LatError(f"--endpoint {url!r} must not have a query string or fragment.")
    return url


def parse_stored(value: str) -> datetime:
    """An xAPI timestamp as an aware datetime (ValueError if unreadable)."""
    moment = datetime.fromisoformat(value.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def check_since(value: str) -> str:
    """``--since``: an ISO 8601 date-time, sent to the LRS in UTC."""
    try:
        moment = parse_stored(value)
    except ValueError:
        raise LatError(f"--since {value!r} is not an ISO 8601 date-time (e.g. 2025-03-01T00:00:00Z).") from None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def newest(current: str | None, statements: list[dict[str, Any]]) -> str | None:
    """The largest ``stored`` among ``current`` and the statements (compared as times).

    Pages come in ascending order, but some LRSs order within a page differently (Ralph's
    filesystem backend reverses it), so the whole page is looked at.
    """
    best, best_time = current, parse_stored(current) if current else None
    for stmt in statements:
        stored = stmt.get("stored")
        if not isinstance(stored, str):
            continue
        try:
            moment = parse_stored(stored)
        except ValueError:
            continue
        if best_time is None or moment > best_time:
            best, best_time = stored, moment
    return best


# --- HTTP --------------------------------------------------------------------------------------


class LrsClient:
    """GETs of one LRS's Statement API with Basic auth, a timeout and readable errors."""

    def __init__(self, endpoint: str, key: str, secret: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint = normalise_endpoint(endpoint)
        self.timeout = timeout
        token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": XAPI_VERSION,
            "Accept": "application/json",
            "Connection": "close",
        }

    def first_url(self, since: str | None, limit: int) -> str:
        """The URL of the first page: statements in stored order, from ``since`` when given."""
        params = {"ascending": "true", "limit": str(limit)}
        if since:
            params["since"] = since
        return f"{self.endpoint}/statements?{urllib.parse.urlencode(params)}"

    def resolve(self, more: str) -> str:
        """``more`` is relative to the LRS's origin (scheme, host and port; spec 2.1.3)."""
        return urllib.parse.urljoin(self.endpoint + "/", more)

    def get_page(self, url: str) -> Page:
        """One page of statements and its ``more`` link; a LatError when the answer is no StatementResult."""
        body = self._get(url)
        try:
            result = json.loads(body)
        except ValueError:
            raise LatError(f"The LRS at {self.endpoint} did not answer with JSON to GET {url}.") from None
        if not isinstance(result, dict) or not isinstance(result.get("statements"), list):
            raise LatError(f"The LRS at {self.endpoint} answered GET {url} without a StatementResult (no 'statements' list).")
        more = result.get("more")
        return Page(statements=result["statements"], more=more if isinstance(more, str) and more else None)

    def _get(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers=self._headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, url) from None
        except urllib.error.URLError as exc:
            raise self._network_error(exc.reason) from None
        except TimeoutError:
            raise LatError(f"The LRS at {self.endpoint} did not answer within {self.timeout:g} s.") from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise LatError(
                f"The connection to {self.endpoint} was lost during a page ({type(exc).__name__}); "
                "what was stored so far is kept: run 'lat pull' again to resume."
            ) from None

    def _http_error(self, exc: urllib.error.HTTPError, url: str) -> LatError:
        if exc.code in (401, 403):
            return LatError(f"The LRS at {self.endpoint} refused the credentials (HTTP {exc.code}); check --key and --secret.")
        detail = exc.read(300).decode("utf-8", "replace").strip()
        return HttpStatusError(f"The LRS at {self.endpoint} answered HTTP {exc.code} to GET {url}: {detail}", exc.code)

    def _network_error(self, reason: object) -> LatError:
        if isinstance(reason, ConnectionRefusedError):
            why = "connection refused (is the LRS running, is the URL right?)"
        elif isinstance(reason, socket.gaierror):
            why = "unknown host"
        elif isinstance(reason, (TimeoutError, socket.timeout)):
            return LatError(f"The LRS at {self.endpoint} did not answer within {self.timeout:g} s.")
        else:
            why = str(reason)
        return LatError(f"Cannot reach {self.endpoint}: {why}.")


class HttpStatusError(LatError):
    """The LRS answered with an HTTP error other than refusing the credentials."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# --- the cursor --------------------------------------------------------------------------------


def load_cursor(con: duckdb.DuckDBPyConnection, endpoint: str) -> Cursor | None:
    """The saved cursor of ``endpoint``, or None before its first pull."""
    row = con.execute("SELECT since, more FROM pull_cursors WHERE endpoint = ?", [endpoint]).fetchall()
    return Cursor(since=row[0][0], more=row[0][1]) if row else None


def save_cursor(con: duckdb.DuckDBPyConnection, endpoint: str, cursor: Cursor) -> None:
    """Save (or replace) the cursor of ``endpoint``."""
    con.execute(
        "INSERT INTO pull_cursors (endpoint, since, more, updated_at) VALUES (?, ?, ?, now()) "
        "ON CONFLICT (endpoint) DO UPDATE SET since = excluded.since, more = excluded.more, updated_at = excluded.updated_at",
        [endpoint, cursor.since, cursor.more],
    )


# --- the pull ----------------------------------------------------------------------------------

PageCallback = Callable[[int, int, PullSummary], None]  # (page number, statements on it, totals)


def pull(
    con: duckdb.DuckDBPyConnection,
    client: LrsClient,
    *,
    since: str | None = None,
    limit: int = DEFAULT_LIMIT,
    on_page: PageCallback | None = None,
) -> PullSummary:
    """Pull everything new from ``client``'s LRS into the store; see the module docstring.

    ``since`` (already checked) starts from that time instead of the cursor; the cursor never
    moves back, so an explicit ``since`` re-pulls history without re-pulling it next time.
    """
    summary = PullSummary(endpoint=client.endpoint)
    cursor = load_cursor(con, client.endpoint) or Cursor(since=None, more=None)
    resuming = since is None and cursor.more is not None
    url: str | None = client.resolve(cursor.more) if resuming and cursor.more else client.first_url(since or cursor.since, limit)
    high_water = cursor.since
    while url is not None:
        try:
            page = client.get_page(url)
        except HttpStatusError as exc:
            if not resuming or exc.status not in (400, 404, 410):
                raise
            # the LRS forgot the page an interrupted pull was about to fetch: restart from since
            summary.notes.append(f"the saved next page is gone (HTTP {exc.status}); resumed from since={cursor.since}")
            resuming = False
            url = client.first_url(cursor.since, limit)
            continue
        resuming = False
        high_water = newest(high_water, page.statements)
        _store_page(con, client.endpoint, page, Cursor(since=high_water, more=page.more), summary)
        if on_page:
            on_page(summary.pages, len(page.statements), summary)
        next_url = client.resolve(page.more) if page.more else None
        # an LRS that hands out the same page again would make this loop forever
        url = None if next_url == url or (next_url and not page.statements) else next_url
    save_cursor(con, client.endpoint, Cursor(since=high_water, more=None))  # finished: no page pending
    summary.since = high_water
    return summary


def _store_page(con: duckdb.DuckDBPyConnection, endpoint: str, page: Page, cursor: Cursor, summary: PullSummary) -> None:
    """Store a page (one ingest transaction), then advance the cursor past it.

    ``ingest_records`` commits its own transaction, so the cursor is saved right after it: a
    kill between the two commits leaves the page stored and the cursor before it, and the next
    pull fetches that page again, where every statement is a duplicate (same id, same
    content) and is skipped. Nothing is lost and nothing is stored twice.
    """
    from lat.ingest.engine import Record, ingest_records

    records = [Record(source=endpoint, line=None, raw=stmt) for stmt in page.statements]
    result = ingest_records(con, records, batch_size=max(len(records), 1))
    save_cursor(con, endpoint, cursor)
    summary.pages += 1
    summary.received += len(records)
    summary.stored += result.stored
    summary.duplicates += result.duplicates
    summary.conflicts += result.conflicts
    summary.rejected += result.rejected
    summary.voided += result.voided
