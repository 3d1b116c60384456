"""What a request handler gets: the request, its xAPI version, its credential and the service."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb
import orjson
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

from lat.config import Settings
from lat.lrs.committer import Writer
from lat.lrs.source_keys import Credential
from lat.store.marts import Compute


@dataclass
class Service:
    """The long-lived parts of a running LRS."""

    settings: Settings
    con: duckdb.DuckDBPyConnection  # only for making cursors; the writer has its own
    writer: Writer
    base_url: str  # e.g. http://127.0.0.1:8100, for authority accounts
    compute: Compute | None = None  # the pipelines' compute, handed in by the command line (admin job "compute")
    documents_lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)
    _cursor_lock: threading.Lock = field(default_factory=threading.Lock)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's own cursor (DuckDB connections are not shared between threads)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._cursor_lock:
                cursor = self._local.cursor = self.con.cursor()
        return cursor


@dataclass
class Call:
    """One request as the handlers see it (alternate syntax already unpacked)."""

    method: str
    path: str  # below /xapi, e.g. "/statements"
    params: dict[str, str]
    headers: Headers
    body: bytes
    version: int  # 1 (1.0.x) or 2 (2.0.x)
    version_text: str
    credential: Credential | None
    service: Service

    @property
    def content_type(self) -> str:
        """The Content-Type header as sent ('' when absent)."""
        return self.headers.get("Content-Type", "")

    @property
    def media_type(self) -> str:
        """The media type of the Content-Type, lower case, without parameters."""
        return self.content_type.split(";")[0].strip().lower()


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response of ``value``."""
    return Response(orjson.dumps(value), status=status, headers=headers, content_type="application/json")


def empty(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    """A response without a body (204 No Content by default)."""
    return Response(b"", status=status, headers=headers)
