"""Secrets the toolbox keeps on disk: ``LAT_HOME/keys/<name>``, readable by the owner only.

Several secrets have a setting and, when it is unset, a key file under ``LAT_HOME/keys/``:

| file | setting | made by |
| --- | --- | --- |
| ``pseudonym.key`` | ``LAT_PSEUDONYM_KEY`` | first survey import (:mod:`lat.pseudonym`) |
| ``session.key`` | ``LAT_SESSION_SECRET`` | first dashboard start (:mod:`lat.access.auth`) |
| ``export.key`` | ``LAT_EXPORT_KEY`` | ``lat demo`` only (:mod:`lat.export.anonymise`) |
| ``credentials.pem`` | ``LAT_CREDENTIALS_KEY`` (a path) | ``lat credentials keygen`` (:mod:`lat.credentials.signing_key`) |

:func:`write_private` is the one way such a file (or any other owner-only file, like the
LRS's ``run/writer.json``) is written: created 0600 from the start under a private name and
then moved or linked into place, so nobody ever reads a half-written or world-readable key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from lat.config import Settings
from lat.errors import LatError

KEYS_DIR = "keys"  # under LAT_HOME


def key_file(settings: Settings, name: str) -> Path:
    """``LAT_HOME/keys/<name>``."""
    return settings.home / KEYS_DIR / name


def setting_name(field: str) -> str:
    """The environment variable of a :class:`~lat.config.Settings` field: ``LAT_<FIELD>``."""
    return "LAT_" + field.upper()


def secret(settings: Settings, field: str, name: str) -> bytes:
    """The secret of setting ``field`` when set, else of ``LAT_HOME/keys/<name>``, generated on first use.

    The generated key is 32 random bytes as 64 hex digits. Processes starting at once agree
    on one key (the first file linked into place wins). An empty setting or key file is a
    :class:`LatError`: an empty HMAC key would make every pseudonym guessable.
    """
    configured = getattr(settings, field)
    if configured is not None:
        value = configured.get_secret_value() if isinstance(configured, SecretStr) else str(configured)
        if not value:
            raise LatError(f"{setting_name(field)} is set but empty; unset it or give it a long random value.")
        return value.encode("utf-8")
    path = key_file(settings, name)
    if not path.exists():
        write_private(path, (secrets.token_hex(32) + "\n").encode("ascii"), replace=False)
        os.chmod(path.parent, 0o700)  # the keys folder too: owner only, even when it existed
    return read_key_file(path)


def read_key_file(path: Path) -> bytes:
    """A key file's contents without surrounding blanks; a :class:`LatError` when it is empty."""
    value = path.read_bytes().strip()
    if not value:
        raise LatError(f"The key file {path} is empty; restore it from a backup.")
    return value


def write_private(path: Path, data: bytes, *, replace: bool = True) -> bool:
    """Write ``data`` to ``path``, mode 0600 from the first byte; True when written.

    With ``replace=False`` an existing file is kept (and False returned): of two processes
    creating the same key at once, the first one's key wins and both then read it. New
    parent folders are created 0700.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic and, unlike rename, refuses to overwrite
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)
