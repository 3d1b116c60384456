"""Password hashes: argon2id (argon2-cffi), and a check that takes as long for unknown users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
# Verified when the user does not exist, so that unknown names take as long as wrong passwords.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash (identity-provider account) never matches."""
    try:
        return _HASHER.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether ``hashed`` was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(hashed)
