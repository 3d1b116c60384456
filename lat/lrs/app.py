"""The WSGI application: routing, xAPI versions, authentication, alternate syntax, errors.

Every request below ``/xapi`` except About must say ``X-Experience-API-Version`` 1.0.x or
2.0.x; the response says the version it follows (1.0.3 or 2.0.0). Errors are answered as
``{"error": message}`` with the status (400 for anything invalid, never 422).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from lat.access.http_headers import api_headers
from lat.lrs import admin, documents, resources, statements
from lat.lrs.context import Call, Service, json_response
from lat.lrs.errors import ApiError, bad_request
from lat.lrs.source_keys import Credential, Verifier

log = logging.getLogger("lat.lrs")

PREFIX = "/xapi"
_HEADER_FIELDS = {
    "authorization": "Authorization",
    "x-experience-api-version": "X-Experience-API-Version",
    "content-type": "Content-Type",
    "content-length": "Content-Length",
    "if-match": "If-Match",
    "if-none-match": "If-None-Match",
}

Handler = Callable[[Call], Response]
# path -> (handler, scopes that allow reading, scopes that allow writing)
_READ_ALL = ("all/read",)
ROUTES: dict[str, tuple[Handler, tuple[str, ...], tuple[str, ...]]] = {
    "/statements": (lambda c: _statements(c), ("statements/read", "statements/read/mine", *_READ_ALL), ("statements/write",)),
    "/activities/state": (lambda c: documents.handle(c, documents.STATE), ("state", *_READ_ALL), ("state",)),
    "/activities/profile": (lambda c: documents.handle(c, documents.ACTIVITY_PROFILE), ("profile", *_READ_ALL), ("profile",)),
    "/agents/profile": (lambda c: documents.handle(c, documents.AGENT_PROFILE), ("profile", *_READ_ALL), ("profile",)),
    "/activities": (resources.activities, ("statements/read", "profile", "define", *_READ_ALL), ()),
    "/agents": (resources.agents, ("statements/read", "profile", "define", *_READ_ALL), ()),
}


def _statements(call: Call) -> Response:
    if call.method in ("GET", "HEAD"):
        return statements.get(call)
    if call.method == "POST":
        return statements.post(call)
    if call.method == "PUT":
        return statements.put(call)
    raise ApiError(405, f"{call.method} is not allowed on statements")


class LrsApp:
    """The WSGI callable of ``lat lrs``."""

    def __init__(self, service: Service, verifier: Verifier, admin_token: str) -> None:
        self.service = service
        self.verifier = verifier
        self.admin_token = admin_token
        # the version named in answers to requests that did not say theirs (LAT_LRS_DEFAULT_VERSION)
        self.default_version = service.settings.lrs_default_version
        self.max_body = service.settings.lrs_max_body_mb << 20  # bytes (LAT_LRS_MAX_BODY_MB)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer one WSGI request: the admin endpoint or the xAPI, errors as JSON, always with the xAPI version header."""
        request = Request(environ)
        version_text = self.answer_version(request.headers.get("X-Experience-API-Version", ""))
        try:
            if request.path.startswith("/admin/"):
                response = admin.handle(request, self.service, self.admin_token)
            else:
                version_text, response = self._xapi(request)
        except ApiError as exc:
            response = error_response(exc)
        except Exception:  # a bug, not the client's fault: log it, answer 500 without details
            log.exception("error serving %s %s", request.method, request.path)
            response = json_response({"error": "internal error; see the LRS log"}, 500)
        response.headers["X-Experience-API-Version"] = version_text
        response.headers.update(api_headers())
        if request.path.rstrip("/") == PREFIX + "/statements" and "X-Experience-API-Consistent-Through" not in response.headers:
            response.headers["X-Experience-API-Consistent-Through"] = self.service.writer.consistent_through()
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.get_data()))
            response.set_data(b"")
            response.headers["Content-Length"] = response.headers.get("Content-Length", "0")
        return response(environ, start_response)

    def answer_version(self, asked: str) -> str:
        """The xAPI version an answer names: the request's, else LAT_LRS_DEFAULT_VERSION."""
        return "2.0.0" if asked.startswith("2.") else "1.0.3" if asked.startswith("1.") else self.default_version

    def refuse_early(self, method: str, path: str, query: str, headers: Headers, length: int | None) -> ApiError | None:
        """What the request line and headers alone refuse, for :mod:`lat.lrs.gate` to answer
        before the body is received: the same checks, in the same order, as :meth:`_xapi`
        (404, 400 for the version, 401, 403), then 413 for a body over the maximum. None when
        the body is needed to decide (the alternate syntax carries its credentials in it)."""
        if path.startswith("/admin/") or "method" in dict(parse_qsl(query, keep_blank_values=True)):
            return None
        try:
            self._admit(_resource(path), method, headers)
            self._check_length(length)
        except ApiError as exc:
            return exc
        return None

    def _xapi(self, request: Request) -> tuple[str, Response]:
        path = _resource(request.path)
        params = dict(parse_qsl(request.query_string.decode(), keep_blank_values=True))
        if "method" in params:  # 1.0.3 alternate syntax: the headers, credentials included, are in the form body
            method, params, headers, body = _alternate(request, params, Headers(request.headers), self._body(request))
            version, version_text, credential = self._admit(path, method, headers)
        else:
            method, headers = request.method, Headers(request.headers)
            version, version_text, credential = self._admit(path, method, headers)
            # only now: the body of a request refused above is never read (About needs none)
            body = b"" if path == "/about" else self._body(request)
        call = Call(method, path, params, headers, body, version, version_text, credential, self.service)
        if path == "/about":
            return version_text, resources.about(call)
        return version_text, ROUTES[path][0](call)

    def _admit(self, path: str, method: str, headers: Headers) -> tuple[int, str, Credential | None]:
        """Version and credential of a request to ``path`` (below /xapi), from its headers only:
        400 (version), 405, 404, 401 or 403 when refused. The credential is None for About."""
        version, version_text = _version(headers, required=path != "/about")
        if path == "/about":
            if method not in ("GET", "HEAD"):
                raise ApiError(405, "About answers GET only")
            return version, version_text, None
        route = ROUTES.get(path)
        if route is None:
            raise ApiError(404, f"no xAPI resource {path}")
        _, read_scopes, write_scopes = route
        credential = self._authenticate(headers)
        reading = method in ("GET", "HEAD")
        if not credential.allows(*(read_scopes if reading else write_scopes)):
            raise ApiError(403, f"credential {credential.key} may not {'read' if reading else 'write'} {path}")
        return version, version_text, credential

    def _check_length(self, length: int | None) -> None:
        if length is not None and length > self.max_body:
            raise ApiError(413, f"request body of {length} bytes is over the maximum of {self.max_body >> 20} MiB (LAT_LRS_MAX_BODY_MB)")

    def _body(self, request: Request) -> bytes:
        """The request body, refused with 413 before it is read when it says it is too large."""
        self._check_length(request.content_length)
        body = request.get_data(cache=False)
        self._check_length(len(body))  # a body without Content-Length (chunked)
        return body

    def _authenticate(self, headers: Headers) -> Credential:
        header = headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            raise ApiError(401, "HTTP Basic authentication is required (lat lrs credentials add NAME)")
        try:
            key, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(401, "the Authorization header is not valid Basic credentials") from None
        credential = self.verifier.verify(key, secret)
        if credential is None:
            raise ApiError(401, "unknown key or wrong secret")
        return credential


def _resource(target: str) -> str:
    """The resource below /xapi a request path names (404 for paths outside the endpoint)."""
    if not target.startswith(PREFIX + "/"):
        raise ApiError(404, f"no resource at {target}; the xAPI endpoint is {PREFIX}/")
    return target[len(PREFIX) :].rstrip("/")


def error_response(exc: ApiError) -> Response:
    """``{"error": message}`` with the status (and the Basic challenge for 401)."""
    response = json_response({"error": exc.message}, exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="LAT xAPI"'
    return response


def _version(headers: Headers, *, required: bool) -> tuple[int, str]:
    value = headers.get("X-Experience-API-Version")
    if value is None:
        if required:
            raise bad_request("the X-Experience-API-Version header is required (1.0.3 or 2.0.0)")
        return 2, "2.0.0"
    value = value.strip()
    parts = value.split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        if parts[:2] == ["1", "0"]:
            return 1, "1.0.3"
        if parts[:2] == ["2", "0"]:
            return 2, "2.0.0"
    raise bad_request(f"X-Experience-API-Version {value!r} is not supported: use 1.0.3 or 2.0.0")


def _alternate(request: Request, params: dict[str, str], headers: Headers, body: bytes) -> tuple[str, dict[str, str], Headers, bytes]:
    """xAPI 1.0.3 alternate request syntax: POST ?method=X with headers and content in a form."""
    version = headers.get("X-Experience-API-Version", "")
    form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    if form.get("X-Experience-API-Version", version).startswith("2.") or version.startswith("2."):
        raise bad_request("the alternate request syntax (method= query parameter) is not part of xAPI 2.0")
    if request.method != "POST":
        raise bad_request("the alternate request syntax must be sent as POST")
    if set(params) != {"method"}:
        raise bad_request("the alternate request syntax allows only the method query parameter; put the others in the form body")
    method = params["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE"):
        raise bad_request(f"method={params['method']!r}: expected GET, PUT, POST or DELETE")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise bad_request("the alternate request syntax needs Content-Type application/x-www-form-urlencoded")
    new_headers = Headers(headers)  # form fields named like headers override the real ones
    new_headers["Content-Type"] = "application/json"  # the content's type, unless the form says otherwise
    new_params: dict[str, str] = {}
    content = b""
    for name, value in form.items():
        if name.lower() in _HEADER_FIELDS:
            new_headers[_HEADER_FIELDS[name.lower()]] = value
        elif name == "content":
            content = value.encode()
        else:
            new_params[name] = value
    if method in ("PUT", "POST") and "content" not in form:
        raise bad_request(f"alternate request syntax {method} needs its body in the 'content' form field")
    return method, new_params, new_headers, content
