"""Revocation: a W3C Bitstring Status List the hub publishes, and the revocations table.

Every issued credential gets a bit (its ``status_index``) in one list of 131,072 bits (the
spec's minimum, 16 KiB, so a list tells nothing about how many were issued). Revoking sets the
bit: ``lat credentials revoke`` records the reason in ``credentials_revoked`` and republishes
``LAT_HOME/credentials/public/status/revocation`` (a VC-JWT of a
BitstringStatusListCredential) for the hub to host at ``LAT_CREDENTIALS_BASE_URL/status/revocation``.
Bit 0 is the most significant bit of the first byte; ``encodedList`` is the multibase
(``u``, base64url without padding) of the GZIP-compressed bitstring.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from lat.config import Settings
from lat.credentials import ledger, signing
from lat.credentials.issue import VC_CONTEXT, Urls
from lat.credentials.signing_key import SigningKey, public_dir
from lat.errors import LatError

LIST_BITS = 131_072


def encode(indices: Iterable[int], size: int = LIST_BITS) -> str:
    """The ``encodedList`` with the given bits set."""
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise LatError(f"status index {index} is outside the list (0..{size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set."""
    if not encoded.startswith("u"):
        raise LatError("the status list's encodedList is not base64url multibase (it must start with 'u')")
    body = encoded[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (OSError, ValueError) as exc:
        raise LatError(f"the status list's encodedList cannot be decoded: {exc}") from None
    if index // 8 >= len(bits):
        raise LatError(f"status index {index} is outside the status list ({len(bits) * 8} bits)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(urls: Urls, issuer_id: str, encoded: str, now: dt.datetime) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for the encoded list, valid from ``now``."""
    return {
        "@context": [VC_CONTEXT],
        "id": urls.status_list,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id},
        "validFrom": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{urls.status_list}#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded},
    }


def revoked_indices(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The status-list indices of revoked credentials, ascending."""
    return [r[0] for r in con.execute("SELECT i.status_index FROM credentials_issued i JOIN credentials_revoked r USING (credential_id) ORDER BY 1").fetchall()]


def publish(con: duckdb.DuckDBPyConnection, settings: Settings, key: SigningKey, urls: Urls) -> Path:
    """Write the signed status list (and a readable JSON copy) for the hub to host."""
    credential = list_credential(urls, urls.issuer, encode(revoked_indices(con)), dt.datetime.now(dt.UTC))
    token = signing.sign(credential, key, urls.jwks)
    folder = public_dir(settings) / "status"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "revocation"
    _atomic_write(path, token)
    _atomic_write(folder / "revocation.json", json.dumps(credential, indent=2) + "\n")
    return path


def revoke(con: duckdb.DuckDBPyConnection, credential_id: str, reason: str) -> None:
    """Record a revocation; LatError for an unknown or already revoked credential."""
    wanted = credential_id if credential_id.startswith("urn:uuid:") else f"urn:uuid:{credential_id}"
    if not ledger.issued(con, "credential_id = ?", [wanted]):
        raise LatError(f"no credential {wanted} was issued by this hub (see 'lat credentials list')")
    if not reason.strip():
        raise LatError("give a reason for the revocation (--reason)")
    if wanted in ledger.revoked(con):
        raise LatError(f"credential {wanted} is already revoked")
    con.execute("INSERT INTO credentials_revoked VALUES (?, ?, ?)", [wanted, reason.strip(), dt.datetime.now(dt.UTC)])


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
