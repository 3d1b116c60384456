"""Keyed pseudonyms: HMAC-SHA256 of an identifier, never the identifier itself.

:func:`keyed_hash` is the one construction, used for two purposes that differ on purpose in
their key and their domain, so that the two kinds of pseudonym can never be linked:

- **survey respondents** (:func:`pseudonym`, here): a respondent becomes
  ``HMAC-SHA256(pseudonym key, school + respondent)``, stored in the store. Survey exports
  identify respondents by whatever the form collected (an email address, a name, a class
  code); none of that may enter the store. Stable across imports (so a corrected file
  updates the same person's answers) and not reversible without the key. The key is
  ``LAT_PSEUDONYM_KEY`` when set; otherwise a random key generated once into
  ``LAT_HOME/keys/pseudonym.key`` (0600, :mod:`lat.keyfiles`). Losing that file means new
  imports get new pseudonyms, so back it up with the store.
- **research exports** (:class:`lat.export.anonymise.Pseudonymiser`): school and respondent
  ids of an export, keyed with ``LAT_EXPORT_KEY``, chosen by whoever hands the data over
  (same key, linkable exports); never written to the store.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from lat import keyfiles
from lat.config import Settings

KEY_NAME = "pseudonym.key"  # under LAT_HOME/keys
SEPARATOR = "\x1f"  # unit separator: cannot occur in a CSV cell typed by a person


def keyed_hash(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 under ``key`` of ``parts`` joined by the unit separator: 64 hex digits.

    The separator keeps ("ab", "c") and ("a", "bc") apart.
    """
    return hmac.new(key, SEPARATOR.join(parts).encode(), hashlib.sha256).hexdigest()


def key_path(settings: Settings) -> Path:
    """The pseudonym key's file: LAT_HOME/keys/pseudonym.key."""
    return keyfiles.key_file(settings, KEY_NAME)


def pseudonym_key(settings: Settings) -> bytes:
    """The secret key for respondent pseudonyms (generated into LAT_HOME on first use)."""
    return keyfiles.secret(settings, "pseudonym_key", KEY_NAME)


def normalise_respondent(respondent: str) -> str:
    """Respondent ids compare without surrounding blanks and case ("Anna@X.org" == "anna@x.org")."""
    return respondent.strip().casefold()


def pseudonym(key: bytes, school: str, respondent: str) -> str:
    """The respondent's pseudonym within a school: 64 hex digits of HMAC-SHA256."""
    return keyed_hash(key, school.strip(), normalise_respondent(respondent))
