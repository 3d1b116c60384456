"""lat.keyfiles: owner-only files and the secrets kept under LAT_HOME/keys."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from lat import keyfiles
from lat.config import Settings
from lat.errors import LatError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_creates_owner_only_files_and_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "secret.txt"
    assert keyfiles.write_private(path, b"one")
    assert path.read_bytes() == b"one" and mode(path) == 0o600 and mode(path.parent) == 0o700
    assert keyfiles.write_private(path, b"two")  # replace=True: overwritten
    assert path.read_bytes() == b"two" and mode(path) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_write_private_without_replace_keeps_the_first_file(tmp_path: Path) -> None:
    path = tmp_path / "key"
    assert keyfiles.write_private(path, b"first", replace=False)
    assert not keyfiles.write_private(path, b"second", replace=False)
    assert path.read_bytes() == b"first"
    assert list(tmp_path.iterdir()) == [path]


def test_secret_prefers_the_setting(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, session_secret=SecretStr("from-the-environment"))
    assert keyfiles.secret(settings, "session_secret", "session.key") == b"from-the-environment"
    assert not (tmp_path / "keys").exists()  # no file made when the setting is there


def test_secret_refuses_an_empty_setting(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, pseudonym_key=SecretStr(""))
    with pytest.raises(LatError, match="LAT_PSEUDONYM_KEY is set but empty"):
        keyfiles.secret(settings, "pseudonym_key", "pseudonym.key")


def test_secret_is_generated_once_into_a_private_keys_folder(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = keyfiles.secret(settings, "pseudonym_key", "pseudonym.key")
    path = tmp_path / "keys" / "pseudonym.key"
    assert len(first) == 64 and int(first, 16) >= 0  # 32 random bytes as hex
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert keyfiles.secret(settings, "pseudonym_key", "pseudonym.key") == first
    # another name is another key
    assert keyfiles.secret(settings, "session_secret", "session.key") != first


def test_an_existing_key_file_is_read_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "session.key").write_text("  kept-from-an-older-version\n")
    assert keyfiles.secret(Settings(home=tmp_path), "session_secret", "session.key") == b"kept-from-an-older-version"


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "pseudonym.key").write_text("\n")
    with pytest.raises(LatError, match=r"pseudonym.key is empty; restore it from a backup"):
        keyfiles.secret(Settings(home=tmp_path), "pseudonym_key", "pseudonym.key")


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    script = (
        "import sys; from lat import keyfiles; from lat.config import Settings; "
        "sys.stdout.write(keyfiles.secret(Settings(home=sys.argv[1]), 'session_secret', 'session.key').decode())"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True) for _ in range(6)]
    seen = {run.communicate(timeout=60)[0] for run in runs}
    assert seen == {(tmp_path / "keys" / "session.key").read_text().strip()}
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["session.key"]
