"""Sign-in through a hub's OpenID Connect provider: authorization code flow with PKCE.

Enabled when ``LAT_OIDC_ISSUER`` (with client id and secret) is set; :mod:`lat.access.webauth`
then adds two routes:

- ``/oidc/login``: makes ``state``, ``nonce`` and a PKCE verifier, keeps them in a short-lived
  cookie signed with the session secret, and redirects to the provider;
- ``/oidc/callback``: checks ``state``, exchanges the code (``client_secret_basic`` plus the
  verifier) at the token endpoint, verifies the ID token (signature against the provider's
  JWKS, issuer, audience, expiry, nonce), maps its role claim to a LAT role, creates or
  refreshes the ``external`` account and opens a normal LAT session.

The user's LAT name is the ``preferred_username`` claim (else ``sub``); a local account of
that name is never taken over. Role: ``LAT_OIDC_ROLE_CLAIM``, mapped by
``LAT_OIDC_ROLE_MAP`` (a value that is already a LAT role maps to itself). Scope:
``LAT_OIDC_SCOPE_CLAIM``, a list of ``hub:ID`` / ``school:ID`` / ``person:ID``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
import urllib.request
from typing import Any, cast

from flask import Blueprint, Response, abort, redirect, request
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns; flask's Response is one

from lat.access import audit, auth
from lat.access.roles import ROLES, User
from lat.access.users import update_external_user
from lat.access.web_session import start_session
from lat.config import Settings
from lat.errors import LatError

STATE_COOKIE = "lat_oidc"
STATE_SECONDS = 600
_DISCOVERY: dict[str, dict[str, Any]] = {}  # issuer -> provider metadata (per process)


class OidcError(LatError):
    """The provider's answer could not be accepted."""


def register_routes(bp: Blueprint, settings: Settings) -> None:
    """Add ``/oidc/login`` and ``/oidc/callback`` to the login blueprint."""

    @bp.get("/oidc/login")
    def oidc_start() -> BaseResponse:
        try:
            meta = discover(settings)
        except LatError as exc:
            return Response(f"The identity provider cannot be reached: {exc}", status=502, mimetype="text/plain")
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        params = {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": _redirect_uri(),
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        response = redirect(f"{meta['authorization_endpoint']}?{urllib.parse.urlencode(params)}", code=302)
        carried = {"state": state, "nonce": nonce, "verifier": verifier, "next": request.args.get("next", "/"), "exp": time.time() + STATE_SECONDS}
        response.set_cookie(
            STATE_COOKIE,
            _sign(settings, carried),
            max_age=STATE_SECONDS,
            path="/oidc",
            httponly=True,
            samesite="Lax",
            secure=settings.cookie_secure or request.is_secure,
        )
        return response

    @bp.get("/oidc/callback")
    def oidc_callback() -> BaseResponse:
        carried = _unsign(settings, request.cookies.get(STATE_COOKIE))
        if carried is None or not hmac.compare_digest(carried["state"], request.args.get("state", "")):
            abort(400, "Sign-in state missing or wrong: start again from the login page.")
        if "error" in request.args:
            abort(401, f"The identity provider refused: {request.args.get('error')}")
        try:
            claims = exchange(settings, request.args.get("code", ""), carried["verifier"], carried["nonce"], _redirect_uri())
            user = provision(settings, claims)
        except LatError as exc:
            audit.record(settings, "oidc", audit.LOGIN_FAILED, detail={"reason": str(exc)}, ip=request.remote_addr)
            return Response(f"Sign-in refused: {exc}", status=403, mimetype="text/plain")
        audit.record(settings, user.name, audit.LOGIN, detail={"via": "oidc"}, ip=request.remote_addr)
        response = start_session(settings, user, carried.get("next", "/"))
        response.delete_cookie(STATE_COOKIE, path="/oidc")
        return response


def discover(settings: Settings) -> dict[str, Any]:
    """The provider's metadata (``/.well-known/openid-configuration``), fetched once per process."""
    issuer = (settings.oidc_issuer or "").rstrip("/")
    if issuer not in _DISCOVERY:
        meta = _get_json(f"{issuer}/.well-known/openid-configuration")
        if meta.get("issuer", "").rstrip("/") != issuer:
            raise OidcError(f"The provider at {issuer} says its issuer is {meta.get('issuer')!r}.")
        _DISCOVERY[issuer] = meta
    return _DISCOVERY[issuer]


def exchange(settings: Settings, code: str, verifier: str, nonce: str, redirect_uri: str) -> dict[str, Any]:
    """Trade the code for tokens and return the verified ID-token claims."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet, KeySetSerialization

    meta = discover(settings)
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    basic = base64.b64encode(f"{_form(settings.oidc_client_id or '')}:{_form(secret)}".encode()).decode()
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}).encode()
    tokens = _post_json(meta["token_endpoint"], body, {"Authorization": f"Basic {basic}"})
    if "id_token" not in tokens:
        raise OidcError("The token endpoint returned no ID token.")
    # the JWKS as fetched (a dict); joserfc checks its contents, its stub wants the TypedDict
    keys = KeySet.import_key_set(cast(KeySetSerialization, _get_json(meta["jwks_uri"])))
    try:
        token = jwt.decode(tokens["id_token"], keys, algorithms=meta.get("id_token_signing_alg_values_supported") or ["RS256"])
    except (JoseError, ValueError) as exc:
        raise OidcError(f"The ID token's signature does not verify: {exc}") from None
    claims = dict(token.claims)
    _check_claims(settings, claims, nonce)
    return claims


def provision(settings: Settings, claims: dict[str, Any]) -> User:
    """The LAT account for these claims (created or refreshed), or :class:`OidcError`."""
    name = str(claims.get("preferred_username") or claims.get("sub") or "")
    value = claims.get(settings.oidc_role_claim)
    role = settings.oidc_role_map.get(str(value), str(value)) if value is not None else None
    if role not in ROLES:
        raise OidcError(f"{name or 'the user'} has no LAT role in claim {settings.oidc_role_claim!r} (got {value!r}).")
    scope = claims.get(settings.oidc_scope_claim) or []
    scope = [scope] if isinstance(scope, str) else list(scope)
    kinds: dict[str, list[str]] = {"school": [], "hub": [], "person": []}
    for entry in scope:
        kind, _, ident = str(entry).partition(":")
        if kind not in kinds or not ident:
            raise OidcError(f"Scope entry {entry!r} in claim {settings.oidc_scope_claim!r}: expected hub:ID, school:ID or person:ID.")
        kinds[kind].append(ident)
    return update_external_user(settings, name, role, kinds["school"], kinds["hub"], kinds["person"])


def _check_claims(settings: Settings, claims: dict[str, Any], nonce: str) -> None:
    now = time.time()
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    checks = [
        (str(claims.get("iss", "")).rstrip("/") == (settings.oidc_issuer or "").rstrip("/"), "issuer"),
        (settings.oidc_client_id in audiences, "audience"),
        (isinstance(claims.get("exp"), (int, float)) and claims["exp"] > now - 60, "expiry"),
        (hmac.compare_digest(str(claims.get("nonce", "")), nonce), "nonce"),
    ]
    for ok, what in checks:
        if not ok:
            raise OidcError(f"The ID token's {what} is wrong.")


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _redirect_uri() -> str:
    return request.host_url.rstrip("/") + "/oidc/callback"


def _sign(settings: Settings, data: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    mac = hmac.new(auth.session_secret(settings), f"oidc:{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def _unsign(settings: Settings, value: str | None) -> dict[str, Any] | None:
    if not value or "." not in value:
        return None
    payload, mac = value.rsplit(".", 1)
    expected = hmac.new(auth.session_secret(settings), f"oidc:{payload}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload))
    return data if data.get("exp", 0) > time.time() else None


def _form(value: str) -> str:
    return urllib.parse.quote(value, safe="")  # RFC 6749 2.3.1: form-encode id and secret


def _get_json(url: str) -> dict[str, Any]:
    return _fetch(urllib.request.Request(url, headers={"Accept": "application/json"}))


def _post_json(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    request_ = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", **headers}
    )
    return _fetch(request_)


def _fetch(req: urllib.request.Request) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data
    except urllib.error.HTTPError as exc:
        raise OidcError(f"{req.full_url} answered {exc.code}: {exc.read()[:200].decode(errors='replace')}") from None
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
        raise OidcError(f"Cannot reach the identity provider at {req.full_url}: {exc}") from None
