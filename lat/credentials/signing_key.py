"""The hub's signing key: generating it, loading it, publishing its public half.

The private key is a PKCS#8 PEM file, ``LAT_CREDENTIALS_KEY`` or ``LAT_HOME/keys/credentials.pem``
(mode 0600). Its public half is published as a JWKS in ``LAT_HOME/credentials/public/jwks.json``
for the hub to host next to its status list. The key id (``kid``) is the RFC 7638 thumbprint.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwk

from lat import keyfiles as key_files
from lat.config import Settings
from lat.errors import LatError

# JWS algorithm -> how to make a key for it
ALGORITHMS = ("EdDSA", "ES256", "RS256")
KEY_NAME = "credentials.pem"  # under LAT_HOME/keys
Key = jwk.OKPKey | jwk.ECKey | jwk.RSAKey


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key with the algorithm it signs with and its key id."""

    key: Key
    alg: str
    kid: str

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK, with its key id, algorithm and use."""
        return {**self.key.as_dict(private=False), "kid": self.kid, "alg": self.alg, "use": "sig"}


def key_path(settings: Settings) -> Path:
    """``LAT_CREDENTIALS_KEY``, else ``LAT_HOME/keys/credentials.pem``."""
    return settings.credentials_key or key_files.key_file(settings, KEY_NAME)


def public_dir(settings: Settings) -> Path:
    """What the hub hosts under LAT_CREDENTIALS_BASE_URL: JWKS, status list, context."""
    return settings.home / "credentials" / "public"


def generate(settings: Settings, alg: str = "EdDSA", *, force: bool = False) -> SigningKey:
    """Make a new key, write it (0600) and publish the JWKS; refuses to overwrite unless ``force``."""
    if alg not in ALGORITHMS:
        raise LatError(f"unsupported algorithm {alg!r}; choose one of {', '.join(ALGORITHMS)}")
    path = key_path(settings)
    if path.exists() and not force:
        raise LatError(
            f"a signing key already exists at {path}; credentials signed with it would no longer verify if it were replaced. Use --force to replace it anyway."
        )
    key: Key
    if alg == "EdDSA":
        key = jwk.OKPKey.generate_key("Ed25519")
    elif alg == "ES256":
        key = jwk.ECKey.generate_key("P-256")
    else:
        key = jwk.RSAKey.generate_key(3072)
    key_files.write_private(path, key.as_pem(private=True))
    loaded = load(settings)
    publish_jwks(settings, loaded)
    return loaded


def load(settings: Settings) -> SigningKey:
    """The hub's key; a clear error when there is none or it cannot be read."""
    path = key_path(settings)
    if not path.exists():
        raise LatError(f"no signing key at {path}: run 'lat credentials keygen' (or set LAT_CREDENTIALS_KEY)")
    try:
        with warnings.catch_warnings():  # joserfc warns about guessing the key type; a PEM names it
            warnings.simplefilter("ignore")
            key = jwk.import_key(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise LatError(f"cannot read the signing key {path}: {exc}") from None
    if not key.is_private:
        raise LatError(f"{path} holds a public key; the signing key must be private")
    if not isinstance(key, Key):  # an "oct" (shared secret) key, which algorithm_for refuses as well
        raise LatError("the signing key must be Ed25519, EC P-256 or RSA")
    return SigningKey(key, algorithm_for(key), key.thumbprint())


def algorithm_for(key: jwk.Key) -> str:
    """The JWS algorithm LAT uses with a key of this type."""
    if isinstance(key, jwk.OKPKey) and key.as_dict(private=False).get("crv") == "Ed25519":
        return "EdDSA"
    if isinstance(key, jwk.ECKey) and key.as_dict(private=False).get("crv") == "P-256":
        return "ES256"
    if isinstance(key, jwk.RSAKey):
        return "RS256"
    raise LatError("the signing key must be Ed25519, EC P-256 or RSA")


def publish_jwks(settings: Settings, key: SigningKey) -> Path:
    """Write the public JWKS the hub hosts at LAT_CREDENTIALS_BASE_URL/jwks.json."""
    path = public_dir(settings) / "jwks.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"keys": [key.public_jwk()]}, indent=2) + "\n", encoding="utf-8")
    return path
