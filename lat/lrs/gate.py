"""Refusing a large request from its headers, before waitress receives its body.

Why: waitress receives a request's whole body (into memory, and a temporary file beyond
512 KiB) before it calls the application. Without this gate a client without credentials
could make the LRS receive up to the maximum body (64 MiB) per request before its 401, and
a body over the maximum was received before its 413.

How: waitress parses each request with its channel's ``parser_class``. The parser below
asks :meth:`lat.lrs.app.LrsApp.refuse_early` (the application's own checks: resource,
version, credentials, scope, size) once the headers are in. A refusal is answered by
waitress itself (its error task: the JSON error, with the LRS's headers) and the connection
is closed without reading the body; no ``100 Continue`` is sent to a client that waits
for one. Bodies up to :data:`EARLY_FROM` are still received and refused by the application
as before: cheap, and a client that sends its body without waiting gets a clean answer.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.utilities import Error, RequestEntityTooLarge
from werkzeug.datastructures import Headers

from lat.access.http_headers import api_headers
from lat.lrs.app import LrsApp, error_response
from lat.lrs.errors import ApiError

log = logging.getLogger("lat.lrs")

EARLY_FROM = 1 << 20  # bytes: larger bodies (and chunked ones, of unknown size) are checked from the headers


class _Refusal(Error):
    """An LRS error answer that waitress sends by itself (then it closes the connection)."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        super().__init__(body)
        self.code, self.reason = status, HTTPStatus(status).phrase
        self.headers, self.content = headers, body

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        return f"{self.code} {self.reason}", self.headers, self.content


def channel_class(app: LrsApp) -> type[HTTPChannel]:
    """A waitress channel class whose requests pass ``app``'s early checks."""

    class GatedParser(HTTPRequestParser):
        gated = False
        error: Error | None  # waitress' attributes that this class sets
        completed: bool
        expect_continue: bool

        def received(self, data: bytes) -> int:
            consumed: int = super().received(data)
            if isinstance(self.error, RequestEntityTooLarge) and not isinstance(self.error, _Refusal):
                # waitress' own limit (set just above LAT_LRS_MAX_BODY_MB): answer it as the LRS does
                self.error = _refusal(app, self.headers, ApiError(413, f"request body over the maximum of {app.max_body >> 20} MiB (LAT_LRS_MAX_BODY_MB)"))
            elif self.headers_finished and not self.completed and not self.gated:
                self.gated = True
                self._gate()
            return consumed

        def _gate(self) -> None:
            if not self.chunked and self.content_length <= EARLY_FROM:
                return
            headers = Headers([(name.replace("_", "-"), value) for name, value in self.headers.items()])
            try:
                refused = app.refuse_early(self.command, self.path, self.query, headers, self.content_length or None)
            except Exception:  # never break the server's loop: the application checks again
                log.exception("early check of %s %s failed", self.command, self.path)
                return
            if refused is not None:
                self.error = _refusal(app, self.headers, refused)
                self.completed = True
                self.expect_continue = False  # no "100 Continue": the client must not send the body

    class GatedChannel(HTTPChannel):
        parser_class = GatedParser

    return GatedChannel


def _refusal(app: LrsApp, parsed: dict[str, Any], error: ApiError) -> _Refusal:
    response = error_response(error)
    response.headers["X-Experience-API-Version"] = app.answer_version(parsed.get("X_EXPERIENCE_API_VERSION", ""))
    response.headers.update(api_headers())
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
    return _Refusal(error.status, headers, response.get_data())


def waitress_max_body(app: LrsApp) -> int:
    """waitress' ``max_request_body_size``: it refuses bodies of at least this many bytes."""
    return app.max_body + 1
