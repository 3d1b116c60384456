"""Issuer keys from decentralised identifiers: ``did:jwk`` and ``did:key`` (Ed25519, P-256).

Both carry the public key in the identifier itself, so a credential from such an issuer can
be verified offline and the key is bound to the issuer id by construction.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from joserfc import jwk

from lat.errors import LatError

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519 = b"\xed\x01"  # multicodec ed25519-pub
_P256 = b"\x80\x24"  # multicodec p256-pub (compressed point)


def key_for(did: str) -> jwk.Key | None:
    """The public key a did:jwk / did:key names (the fragment is ignored); None for other ids."""
    did = did.split("#", 1)[0]
    try:
        if did.startswith("did:jwk:"):
            body = did.removeprefix("did:jwk:")
            return jwk.import_key(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
        if did.startswith("did:key:z"):
            return _multikey(_b58decode(did.removeprefix("did:key:z")))
    except (ValueError, KeyError, TypeError) as exc:
        raise LatError(f"cannot read the key of {did}: {exc}") from None
    return None


def did_jwk(public: dict[str, Any]) -> str:
    """The did:jwk of a public JWK (used by tests and by hubs that want a self-certifying issuer id)."""
    return "did:jwk:" + base64.urlsafe_b64encode(json.dumps(public, separators=(",", ":")).encode()).decode().rstrip("=")


def did_key_ed25519(raw_public: bytes) -> str:
    """The did:key of a raw Ed25519 public key (multicodec prefix, base58btc)."""
    return "did:key:z" + _b58encode(_ED25519 + raw_public)


def _multikey(data: bytes) -> jwk.OKPKey | jwk.ECKey:
    if data.startswith(_ED25519) and len(data) == 34:
        x = base64.urlsafe_b64encode(data[2:]).decode().rstrip("=")
        return jwk.OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})
    if data.startswith(_P256):
        from cryptography.hazmat.primitives.asymmetric import ec

        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[2:])
        return jwk.ECKey.import_key(point)
    raise ValueError("only Ed25519 and P-256 did:key identifiers are supported")


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)  # ValueError on a character outside the alphabet
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def _b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out
