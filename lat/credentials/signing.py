"""VC-JWT: an OpenBadgeCredential as a compact JWS (Open Badges 3.0, section 8.2).

Header: ``alg`` (EdDSA, ES256 or RS256), ``typ`` JWT, ``kid`` (a URL of the hub's JWKS with
the key's thumbprint as fragment) and ``jwk`` (the public key, so a verifier without network
can check the signature; binding that key to the issuer is the verifier's job, see verify.py).
Claims: ``vc`` (the credential), ``iss`` (issuer id), ``jti`` (credential id), ``sub``
(subject id, when there is one), ``nbf``/``iat`` (validFrom) and ``exp`` (validUntil).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import warnings
from typing import Any

from joserfc import jws

from lat.credentials.keys import SigningKey
from lat.errors import LatError

ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519", "ES256", "ES384", "RS256", "RS384", "RS512", "PS256")


def sign(credential: dict[str, Any], key: SigningKey, jwks_url: str) -> str:
    """The credential as a VC-JWT signed with the hub's key."""
    header = {"alg": key.alg, "typ": "JWT", "kid": f"{jwks_url}#{key.kid}", "jwk": key.public_jwk()}
    claims: dict[str, Any] = {"vc": credential, "iss": credential["issuer"]["id"], "jti": credential["id"]}
    if subject := credential["credentialSubject"].get("id"):
        claims["sub"] = subject
    claims["nbf"] = claims["iat"] = _numeric(credential["validFrom"])
    if until := credential.get("validUntil"):
        claims["exp"] = _numeric(until)
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    with warnings.catch_warnings():  # joserfc flags EdDSA as superseded by RFC 9864's "Ed25519";
        warnings.simplefilter("ignore")  # wallets and OB 3.0 verifiers still expect EdDSA
        return jws.serialize_compact(header, payload, key.key, algorithms=[key.alg])


def looks_like_jwt(text: str) -> bool:
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2])


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS, not yet verified; LatError when it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise LatError(f"not a compact JWS: expected 3 dot-separated parts, found {len(parts)}")
    try:
        header, claims = (json.loads(_b64(p)) for p in parts[:2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise LatError(f"not a compact JWS: the header or payload is not base64url JSON ({exc})") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise LatError("not a compact JWS: the header and payload must be JSON objects")
    return header, claims


def signature_valid(token: str, public_key: Any, alg: str) -> bool:
    """Whether ``token`` is signed by ``public_key`` with ``alg`` (never 'none' or HMAC)."""
    if alg not in ACCEPTED_ALGORITHMS:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(token.strip(), public_key, algorithms=[alg])
    except Exception:  # noqa: BLE001 - joserfc raises several error types for a bad signature
        return False
    return True


def credential_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The credential in VC-JWT claims: the ``vc`` claim (VC-JWT), or the claims themselves (VC-JOSE)."""
    credential = claims.get("vc", claims)
    if not isinstance(credential, dict):
        raise LatError("the JWT's 'vc' claim is not a JSON object")
    return credential


def _numeric(stamp: str) -> int:
    return int(parse_datetime(stamp).timestamp())


def parse_datetime(stamp: str) -> dt.datetime:
    """An XML Schema dateTime with a time zone (as VC 2.0 requires) as an aware datetime."""
    try:
        value = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise LatError(f"{stamp!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise LatError(f"{stamp!r} has no time zone")
    return value


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
