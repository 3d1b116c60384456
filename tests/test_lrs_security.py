"""The LRS against hostile or careless clients, as a real `lat lrs` process: deep JSON, large
bodies without credentials, and the headers of every answer."""

from __future__ import annotations

import base64
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from lat.lrs.app import ROUTES
from lat.lrs.errors import ApiError
from lat.lrs.gate import EARLY_FROM
from lat.lrs.jsonbody import check_depth
from tests.lrs_support import Lrs, start, statement

MAX_DEPTH = 64  # LAT_LRS_MAX_DEPTH's default
MAX_BODY = 64 << 20  # LAT_LRS_MAX_BODY_MB's default, in bytes


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    server = start(tmp_path_factory.mktemp("lrs-security-home"))
    server.login("admin", "all")
    server.auth["nobody"] = "Basic " + base64.b64encode(b"lat_nobody:wrong").decode()
    try:
        yield server
    finally:
        server.stop()


def _nested(levels: int) -> dict[str, Any]:
    """An object nested ``levels`` deep ({} is one level)."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def _with_extension(levels: int) -> dict[str, Any]:
    # statement (1) > context (2) > extensions (3) > the value: the body is levels + 3 deep
    return statement(1, context={"extensions": {"http://example.org/deep": _nested(levels)}})


# --- deep JSON -----------------------------------------------------------------------------


def test_a_statement_nested_900_levels_deep_gets_400_not_500(lrs: Lrs) -> None:
    status, _, body = lrs.request("POST", "/statements", _with_extension(900))
    assert status == 400, body
    assert body["error"].startswith(
        "the body nests JSON deeper than 64 levels (the limit, LAT_LRS_MAX_DEPTH), at $.context.extensions['http://example.org/deep'].a.a"
    )


def test_the_depth_limit_is_exact_and_holds_in_batches_and_put(lrs: Lrs) -> None:
    assert lrs.request("POST", "/statements", _with_extension(MAX_DEPTH - 3))[0] == 200
    assert lrs.request("POST", "/statements", _with_extension(MAX_DEPTH - 2))[0] == 400
    batch = [statement(2), _with_extension(MAX_DEPTH - 3)]  # the array is one more level
    status, _, body = lrs.request("POST", "/statements", batch)
    assert status == 400 and "at $[1].context.extensions" in body["error"]
    sid = str(uuid.uuid4())
    assert lrs.request("PUT", f"/statements?statementId={sid}", _with_extension(300))[0] == 400
    assert lrs.request("GET", f"/statements?statementId={sid}")[0] == 404  # nothing stored


def test_a_deep_json_document_merge_gets_400(lrs: Lrs) -> None:
    where = "/activities/state?activityId=http://example.org/a&stateId=s&agent=" + '{"mbox":"mailto:deep@example.org"}'.replace('"', "%22")
    assert lrs.request("POST", where, {"x": 1})[0] == 204
    status, _, body = lrs.request("POST", where, {"x": _nested(300)})
    assert status == 400 and "POST merges JSON documents: the body nests JSON deeper than 64 levels" in body["error"]


def test_the_depth_check_takes_its_limit_from_the_argument() -> None:
    check_depth([[[1]]], "x", 3)
    with pytest.raises(ApiError, match=r"x nests JSON deeper than 2 levels .* at \$\[0\]\[0\]"):
        check_depth([[[1]]], "x", 2)
    check_depth(_nested(5000), "x", 5000)  # no recursion: Python's stack is not the limit


# --- large bodies: refused from the headers ---------------------------------------------------


def _head_only(lrs: Lrs, length: int, *extra: str) -> tuple[bytes, float]:
    """Send only the headers of a POST with Content-Length ``length``; the answer (or b"" when
    the server waits for the body) and how long it took."""
    host, port = lrs.url.removeprefix("http://").split(":")
    lines = [
        "POST /xapi/statements HTTP/1.1",
        "Host: lrs",
        "X-Experience-API-Version: 1.0.3",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        *extra,
    ]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sock.settimeout(5)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
        return answer, time.monotonic() - started


def test_a_60_mib_body_without_credentials_gets_401_before_it_is_sent(lrs: Lrs) -> None:
    answer, seconds = _head_only(lrs, 60 << 20)
    assert answer.startswith(b"HTTP/1.1 401 "), answer
    assert b'Basic realm="LAT xAPI"' in answer and b"nosniff" in answer and b"no-store" in answer
    assert seconds < 3
    answer, _ = _head_only(lrs, 60 << 20, "Authorization: Basic " + base64.b64encode(b"lat_x:wrong").decode())
    assert answer.startswith(b"HTTP/1.1 401 "), answer
    answer, _ = _head_only(lrs, 60 << 20, "Authorization: " + lrs.auth["admin"], "X-Experience-API-Version: 9.9")
    assert answer.startswith(b"HTTP/1.1 400 "), answer  # the same order of checks as the application


def test_a_body_over_the_maximum_gets_413_before_it_is_sent(lrs: Lrs) -> None:
    answer, seconds = _head_only(lrs, MAX_BODY + 1, "Authorization: " + lrs.auth["admin"])
    assert answer.startswith(b"HTTP/1.1 413 ") and b"Content-Type: application/json" in answer, answer
    assert seconds < 3


def test_an_authorised_large_body_is_asked_for(lrs: Lrs) -> None:
    answer, _ = _head_only(lrs, 2 << 20, "Authorization: " + lrs.auth["admin"], "Expect: 100-continue")
    assert answer.startswith(b"HTTP/1.1 100 Continue"), answer
    # and sent whole, it is read and judged by the application as before
    status, _, body = lrs.request("POST", "/statements", b"[" + b" " * (EARLY_FROM + 10) + b"]")
    assert (status, body) == (200, [])


def test_a_small_body_without_credentials_still_gets_a_clean_401(lrs: Lrs) -> None:
    status, _, body = lrs.request("POST", "/statements", [statement(3)], who="nobody")
    assert status == 401 and body == {"error": "unknown key or wrong secret"}


# --- headers on every answer -----------------------------------------------------------------


def test_every_answer_says_nosniff_and_no_store(lrs: Lrs) -> None:
    answers = [
        lrs.request("GET", "/about"),
        lrs.request("GET", "/nowhere"),
        lrs.request("GET", "/statements", version="9"),
        lrs.request("GET", "/statements", who="nobody"),
    ]
    for path in ROUTES:  # every resource, answered 200 or 400 for missing parameters
        answers.append(lrs.request("GET", path))
    statuses = {status for status, _, _ in answers}
    assert {200, 400, 401, 404} <= statuses
    for status, headers, _ in answers:
        assert headers["X-Content-Type-Options"] == "nosniff", status
        assert headers["Cache-Control"] == "no-store", status
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], status
