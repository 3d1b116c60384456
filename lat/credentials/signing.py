"""VC-JWT: an OpenBadgeCredential as a compact JWS (Open Badges 3.0, section 8.2).

The JWS payload IS the credential, with the JWT claims beside its own members: OB 3.0 section
8.2.4 ("Create the JWT Payload": the payload is the JSON object of the OpenBadgeCredential
with ``exp``, ``iss``, ``jti``, ``nbf``, ``sub``) and W3C VC-JOSE-COSE (Recommendation, 2025)
sections 3.1.1 and 3.1.3 (the unsecured credential is the unencoded JWS payload; the ``vc`` and ``vp``
claims MUST NOT be present). The ``vc`` claim wrapper is the VC Data Model 1.1 encoding; older
issuers still send it, so :func:`credential_of` reads both (docs/credentials.md).

Header: ``alg`` (EdDSA, ES256 or RS256), ``typ`` JWT (OB 3.0 allows no other value and no other
header, so neither VC-JOSE-COSE's ``vc+jwt`` nor ``cty``), ``kid`` (a URL of the hub's JWKS with
the key's thumbprint as fragment) and ``jwk`` (the public key, so a verifier without network
can check the signature; binding that key to the issuer is the verifier's job, see verify.py).
Claims: ``iss`` (issuer id), ``jti`` (credential id), ``sub`` (subject id, when there is one),
``nbf`` (validFrom), ``iat`` (when signed) and ``exp`` (validUntil).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import warnings
from typing import Any

from joserfc import jwk, jws

from lat.credentials.signing_key import SigningKey
from lat.errors import LatError

ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519", "ES256", "ES384", "RS256", "RS384", "RS512", "PS256")
# RFC 7519 section 4.1 registered claim names: in a VC-JOSE payload they sit beside the credential
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
PAYLOAD = "credential as the JWT payload (OB 3.0 section 8.2, VC-JOSE-COSE)"
VC_CLAIM = "credential in the 'vc' claim (VC Data Model 1.1 VC-JWT, accepted from older issuers)"


def sign(credential: dict[str, Any], key: SigningKey, jwks_url: str, *, signed_at: dt.datetime | None = None) -> str:
    """The credential as a VC-JWT signed with the hub's key: the credential is the payload."""
    header = {"alg": key.alg, "typ": "JWT", "kid": f"{jwks_url}#{key.kid}", "jwk": key.public_jwk()}
    payload = json.dumps(payload_of(credential, signed_at or dt.datetime.now(dt.UTC)), separators=(",", ":"), ensure_ascii=False).encode()
    with warnings.catch_warnings():  # joserfc flags EdDSA as superseded by RFC 9864's "Ed25519";
        warnings.simplefilter("ignore")  # wallets and OB 3.0 verifiers still expect EdDSA
        return jws.serialize_compact(header, payload, key.key, algorithms=[key.alg])


def payload_of(credential: dict[str, Any], signed_at: dt.datetime) -> dict[str, Any]:
    """The credential's members plus the JWT claims OB 3.0 section 8.2.4 derives from them."""
    clash = sorted((JWT_CLAIMS | {"vc", "vp"}) & credential.keys())
    if clash:  # a member named like a claim would be overwritten or misread by verifiers
        raise ValueError(f"the credential has members named like JWT claims: {clash}")
    claims: dict[str, Any] = {"iss": credential["issuer"]["id"], "jti": credential["id"]}
    if subject := credential["credentialSubject"].get("id"):
        claims["sub"] = subject
    claims["nbf"] = numeric(credential["validFrom"])
    claims["iat"] = int(signed_at.timestamp())  # VC-JOSE-COSE: iat is when the signature was made
    if until := credential.get("validUntil"):
        claims["exp"] = numeric(until)
    return {**credential, **claims}


def looks_like_jwt(text: str) -> bool:
    """Whether ``text`` has the shape of a compact JWS (three dot-separated parts, header and payload not empty)."""
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


def signature_valid(token: str, public_key: jwk.Key, alg: str) -> bool:
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


def shape_of(claims: dict[str, Any]) -> str:
    """Which of the two payload shapes a VC-JWT has: :data:`PAYLOAD` or :data:`VC_CLAIM`."""
    if "vc" not in claims:
        return PAYLOAD
    if "@context" in claims:
        raise LatError("the JWT payload is a credential and also has a 'vc' claim: VC-JOSE-COSE forbids the 'vc' claim beside a credential, so it is ambiguous")
    if not isinstance(claims["vc"], dict):
        raise LatError("the JWT's 'vc' claim is not a JSON object")
    return VC_CLAIM


def credential_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT secures: the payload less its JWT claims, or the ``vc`` claim."""
    if shape_of(claims) == VC_CLAIM:
        return dict(claims["vc"])
    return {name: value for name, value in claims.items() if name not in JWT_CLAIMS}


def numeric(stamp: str) -> int:
    """A date-time as a JWT NumericDate (whole seconds since the epoch, UTC)."""
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
