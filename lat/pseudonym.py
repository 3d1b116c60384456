"""Pseudonyms for survey respondents: a keyed hash, never the raw respondent id.

Survey exports identify respondents by whatever the form collected: an email address, a
name, a class code. None of that may enter the store. A respondent becomes
``HMAC-SHA256(key, school + respondent)``: stable across imports (so a corrected file updates
the same person's answers) and not reversible without the key.

The key is ``LAT_PSEUDONYM_KEY`` when set; otherwise a random key is generated once into
``LAT_HOME/keys/pseudonym.key`` (mode 0600). Losing that file means new imports get new
pseudonyms, so back it up with the store.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from lat.config import Settings
from lat.errors import LatError

KEY_FILE = Path("keys") / "pseudonym.key"
_SEPARATOR = "\x1f"  # unit separator: cannot occur in a CSV cell typed by a person


def key_path(settings: Settings) -> Path:
    return settings.home / KEY_FILE


def pseudonym_key(settings: Settings) -> bytes:
    """The secret key for respondent pseudonyms (generated into LAT_HOME on first use)."""
    if settings.pseudonym_key is not None:
        value = settings.pseudonym_key.get_secret_value()
        if not value:
            raise LatError("LAT_PSEUDONYM_KEY is set but empty; unset it or give it a long random value.")
        return value.encode("utf-8")
    path = key_path(settings)
    if not path.exists():
        _create_key_file(path)
    text = path.read_text(encoding="ascii").strip()
    if not text:
        raise LatError(f"The pseudonym key file {path} is empty; restore it from a backup.")
    return text.encode("ascii")


def _create_key_file(path: Path) -> None:
    """Write a fresh random key, readable by the owner only; a concurrent creator wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        # O_EXCL: two imports starting at once must not each write a different key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")


def normalise_respondent(respondent: str) -> str:
    """Respondent ids compare without surrounding blanks and case ("Anna@X.org" == "anna@x.org")."""
    return respondent.strip().casefold()


def pseudonym(key: bytes, school: str, respondent: str) -> str:
    """The respondent's pseudonym within a school: 64 hex digits of HMAC-SHA256."""
    message = f"{school.strip()}{_SEPARATOR}{normalise_respondent(respondent)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
