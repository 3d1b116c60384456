"""Authentication: argon2id hashes, login, lockout per user and per address, sessions, the session key."""

from __future__ import annotations

import multiprocessing
import stat
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lat.access import audit, auth, authdb
from lat.access.users import add_user
from lat.config import Settings

PW = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    settings = Settings(home=tmp_path)
    add_user(settings, "ada", "admin", password=PW)
    add_user(settings, "rey", "researcher", password=PW)
    return settings


def test_passwords_are_stored_as_argon2id_hashes(settings: Settings) -> None:
    with authdb.session(settings) as con:
        stored = con.execute("SELECT password_hash FROM users WHERE name = 'ada'").fetchone()[0]
    assert stored.startswith("$argon2id$v=19$")
    assert PW not in stored
    assert auth.verify_password(stored, PW)
    assert not auth.verify_password(stored, PW + "x")
    assert not auth.verify_password(None, PW)  # identity-provider accounts have no password
    assert stat.S_IMODE(authdb.path(settings).stat().st_mode) == 0o600


def test_login_accepts_the_right_password_only(settings: Settings) -> None:
    assert auth.login(settings, "ada", PW, "10.0.0.1").role == "admin"
    with pytest.raises(auth.LoginRefused, match="^Wrong user name or password.$"):
        auth.login(settings, "ada", "wrong password", "10.0.0.1")
    with pytest.raises(auth.LoginRefused, match="^Wrong user name or password.$"):  # same words for unknown users
        auth.login(settings, "nobody", PW, "10.0.0.1")
    actions = [(e.actor, e.action, e.ip) for e in audit.read(settings) if e.action.startswith("login")]
    assert actions == [("ada", "login", "10.0.0.1"), ("ada", "login_failed", "10.0.0.1"), ("nobody", "login_failed", "10.0.0.1")]


def _fail(settings: Settings, name: str, ip: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(auth.LoginRefused):
            auth.login(settings, name, "wrong password", ip)


def test_five_failures_lock_the_user_out_even_with_the_right_password(settings: Settings) -> None:
    _fail(settings, "ada", "10.0.0.1", 4)
    assert auth.login(settings, "ada", PW, "10.0.0.1").name == "ada"  # 4 < 5, and success forgives
    _fail(settings, "ada", "10.0.0.1", 3)
    _fail(settings, "ada", "10.0.0.2", 2)  # per user: addresses add up
    with pytest.raises(auth.LockedOut, match="Too many failed logins: try again in 15 minutes"):
        auth.login(settings, "ada", PW, "10.0.0.3")
    assert auth.login(settings, "rey", PW, "10.0.0.3").name == "rey"  # other users unaffected
    assert [e.action for e in audit.read(settings, action=audit.LOGIN_LOCKED)] == ["login_locked"]


def test_five_failures_from_one_address_lock_that_address_out(settings: Settings) -> None:
    for name in ["u1", "u2", "u3", "u4", "u5"]:
        _fail(settings, name, "10.0.0.9", 1)
    with pytest.raises(auth.LockedOut):
        auth.login(settings, "rey", PW, "10.0.0.9")
    assert auth.login(settings, "rey", PW, "10.0.0.10").name == "rey"


def test_the_lockout_ends_when_the_failures_leave_the_window(settings: Settings) -> None:
    _fail(settings, "ada", "10.0.0.1", 5)
    with pytest.raises(auth.LockedOut):
        auth.login(settings, "ada", PW, "10.0.0.1")
    with authdb.session(settings) as con:  # let 15 minutes and 1 second pass for the recorded attempts
        con.execute("UPDATE login_attempts SET at = at - 901")
    assert auth.login(settings, "ada", PW, "10.0.0.1").name == "ada"


def test_the_lockout_threshold_and_window_come_from_settings(settings: Settings) -> None:
    strict = settings.model_copy(update={"login_max_failures": 2, "login_lockout_minutes": 60})
    _fail(strict, "ada", "10.0.0.1", 2)
    with pytest.raises(auth.LockedOut, match="try again in 60 minutes"):
        auth.login(strict, "ada", PW, "10.0.0.1")
    with authdb.session(settings) as con:
        con.execute("UPDATE login_attempts SET at = at - 901")  # 15 minutes: still inside 60
    with pytest.raises(auth.LockedOut):
        auth.login(strict, "ada", PW, "10.0.0.1")


def test_sessions_are_server_side_hashed_and_expire(settings: Settings) -> None:
    session = auth.create_session(settings, "ada", "10.0.0.1")
    assert len(session.id) >= 43 and session.csrf != session.id
    found = auth.lookup_session(settings, session.id)
    assert found is not None and found[0].name == "ada" and found[1].csrf == session.csrf
    assert abs(session.expires_at - (time.time() + 8 * 3600)) < 60
    assert authdb.path(settings).read_bytes().find(session.id.encode()) == -1  # only a hash is stored
    assert auth.lookup_session(settings, session.id + "x") is None
    assert auth.lookup_session(settings, None) is None
    with authdb.session(settings) as con:
        con.execute("UPDATE sessions SET expires_at = ?", (time.time() - 1,))
    assert auth.lookup_session(settings, session.id) is None


def test_ending_a_session_signs_out_only_that_session(settings: Settings) -> None:
    one, two = auth.create_session(settings, "ada"), auth.create_session(settings, "ada")
    auth.end_session(settings, one.id)
    assert auth.lookup_session(settings, one.id) is None
    assert auth.lookup_session(settings, two.id) is not None


def test_the_session_key_is_generated_once_with_owner_only_permissions(settings: Settings) -> None:
    key = auth.session_secret(settings)
    path = settings.home / "keys" / "session.key"
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.session_secret(settings) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind
    configured = Settings(home=settings.home, session_secret="from-the-environment")
    assert auth.session_secret(configured) == b"from-the-environment"


def test_csrf_tokens_are_compared_exactly(settings: Settings) -> None:
    assert auth.csrf_matches("abc", "abc")
    assert not auth.csrf_matches("abc", "abd")
    assert not auth.csrf_matches("abc", None)
    assert not auth.csrf_matches("abc", "")


def _guess_after(barrier: Any, results: Any, home: str, name: str, ip: str) -> None:
    """One wrong login in its own process, started together with the others."""
    barrier.wait()
    try:
        auth.login(Settings(home=Path(home)), name, "wrong password", ip)
        results.put("accepted")
    except auth.LockedOut:
        results.put("locked")
    except auth.LoginRefused:
        results.put("checked")


def test_processes_guessing_at_once_get_at_most_the_limit_of_password_checks(settings: Settings) -> None:
    # Several dashboard processes share auth.sqlite: the lockout must hold across processes, not
    # only across one server's threads (the check and the record are one SQLite write transaction).
    context = multiprocessing.get_context("fork")  # the barrier and queue are inherited
    parties = 12
    barrier, queue = context.Barrier(parties), context.Queue()
    processes = [context.Process(target=_guess_after, args=(barrier, queue, str(settings.home), "ada", f"10.1.0.{i}")) for i in range(parties)]
    for process in processes:
        process.start()
    results = Counter(queue.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    assert results["accepted"] == 0 and results["checked"] + results["locked"] == parties
    assert 1 <= results["checked"] <= settings.login_max_failures, results
