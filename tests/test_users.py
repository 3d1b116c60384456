"""Users: roles, scopes, registry checks, passwords, demo accounts, and the `lat users` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from lat.access import audit, auth
from lat.access.users import add_user, create_demo_accounts, get_user, list_users, remove_user, set_password
from lat.config import Settings
from lat.errors import LatError
from lat.store import marts
from pipelines.core import catalogue as cat

PW = "correct horse battery"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    return Settings(home=tmp_path)


@pytest.fixture
def registry(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Publish a registry: H1 = {S1, S2}, H2 = {S3}; mentor person P1 -> S2."""
    monkeypatch.setitem(cat.MARTS, "t_reg_schools", cat.Mart("t_reg_schools", "registry", "", {"school": "school", "hub": "hub"}))
    monkeypatch.setitem(cat.MARTS, "t_reg_pairs", cat.Mart("t_reg_pairs", "registry", "", {"mentor": "mentor", "mentee_school": "mentee_school"}))
    marts.publish(
        {
            "t_reg_schools": pl.DataFrame({"school": ["S1", "S2", "S3"], "hub": ["H1", "H1", "H2"]}),
            "t_reg_pairs": pl.DataFrame({"mentor": ["P1"], "mentee_school": ["S2"]}),
        },
        settings,
        catalogue=cat.as_data(cat.MARTS),
    )
    return settings


def test_a_user_round_trips_with_role_and_scope(settings: Settings) -> None:
    add_user(settings, "cora", "hub_coordinator", password=PW, hubs=["H1", "H2", "H1"])
    user = get_user(settings, "cora")
    assert user is not None
    assert (user.role, user.hubs, user.schools, user.external) == ("hub_coordinator", ("H1", "H2"), (), False)
    assert user.scope_text() == "hub:H1, hub:H2"
    assert [u.name for u in list_users(settings)] == ["cora"]
    assert get_user(settings, "nobody") is None


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("boss", {}, "Unknown role 'boss': choose one of admin, hub_coordinator"),
        ("admin", {"hubs": ["H1"]}, "an admin sees everything and takes no"),
        ("researcher", {"schools": ["S1"]}, "a researcher sees anonymised aggregates only"),
        ("hub_coordinator", {}, "needs at least one --hub"),
        ("hub_coordinator", {"schools": ["S1"]}, "needs at least one --hub"),
        ("school_head", {"hubs": ["H1"]}, "needs --school"),
        ("mentor", {}, "needs --person"),
    ],
)
def test_roles_and_scopes_are_validated(settings: Settings, role: str, scope: dict[str, list[str]], message: str) -> None:
    with pytest.raises(LatError, match=message):
        add_user(settings, "u1", role, password=PW, **scope)
    assert list_users(settings) == []


def test_names_passwords_and_duplicates_are_checked(settings: Settings) -> None:
    with pytest.raises(LatError, match="User name 'bad name'"):
        add_user(settings, "bad name", "admin", password=PW)
    with pytest.raises(LatError, match="at least 10 characters"):
        add_user(settings, "ada", "admin", password="short")
    with pytest.raises(LatError, match="A password is required"):
        add_user(settings, "ada", "admin", password=None)
    add_user(settings, "ada", "admin", password=PW)
    with pytest.raises(LatError, match="User 'ada' exists already"):
        add_user(settings, "ada", "researcher", password=PW)


def test_scopes_must_exist_in_the_published_registry(registry: Settings) -> None:
    with pytest.raises(LatError, match="School 'S9' is not in the published registry"):
        add_user(registry, "hal", "school_head", password=PW, schools=["S9"])
    with pytest.raises(LatError, match="Hub 'H9' is not in the published registry; known hubs: H1, H2"):
        add_user(registry, "cora", "hub_coordinator", password=PW, hubs=["H9"])
    with pytest.raises(LatError, match="Person 'P9' is not a mentor"):
        add_user(registry, "max", "mentor", password=PW, persons=["P9"])
    add_user(registry, "max", "mentor", password=PW, persons=["P1"])
    add_user(registry, "hal", "school_head", password=PW, schools=["S3"])
    assert [u.name for u in list_users(registry)] == ["hal", "max"]


def test_removing_a_user_or_changing_a_password_ends_their_sessions(settings: Settings) -> None:
    add_user(settings, "ada", "admin", password=PW)
    first = auth.create_session(settings, "ada")
    set_password(settings, "ada", "another long password")
    assert auth.lookup_session(settings, first.id) is None
    with pytest.raises(auth.LoginRefused):
        auth.login(settings, "ada", PW, "10.0.0.1")
    assert auth.login(settings, "ada", "another long password", "10.0.0.1").name == "ada"
    second = auth.create_session(settings, "ada")
    remove_user(settings, "ada")
    assert auth.lookup_session(settings, second.id) is None
    with pytest.raises(LatError, match="No user 'ada'"):
        remove_user(settings, "ada")
    actions = [e.action for e in audit.read(settings) if e.target == "ada"]
    assert actions == ["user_added", "password_changed", "user_removed"]


def test_demo_accounts_one_per_role_with_working_random_passwords(registry: Settings) -> None:
    rows = create_demo_accounts(registry)
    assert [(name, role, scope) for name, role, scope, _ in rows] == [
        ("demo-admin", "admin", "all"),
        ("demo-coordinator", "hub_coordinator", "hub:H1"),
        ("demo-mentor", "mentor", "person:P1"),
        ("demo-head", "school_head", "school:S2"),  # the demo mentor's mentee school
        ("demo-researcher", "researcher", "aggregates"),
    ]
    passwords = [pw for *_, pw in rows]
    assert len(set(passwords)) == 5 and all(len(pw) >= 16 for pw in passwords)
    for name, _, _, password in rows:
        assert auth.login(registry, name, password, "127.0.0.1").name == name
    again = create_demo_accounts(registry)
    assert {pw for *_, pw in again}.isdisjoint(passwords)  # replaced, not reused
    with pytest.raises(auth.LoginRefused):
        auth.login(registry, "demo-admin", passwords[0], "127.0.0.1")


def test_demo_accounts_need_a_registry(settings: Settings) -> None:
    with pytest.raises(LatError, match="No registry marts are published"):
        create_demo_accounts(settings)


def _lat(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAT_HOME": str(home)}
    return subprocess.run([str(Path(sys.executable).parent / "lat"), *args], input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def test_the_users_command_in_a_real_process(settings: Settings) -> None:
    home = settings.home
    added = _lat(home, "users", "add", "hal", "--role", "school_head", "--school", "S1", "--password-stdin", stdin=PW + "\n")
    assert (added.returncode, added.stdout) == (0, "Added hal (school_head; school:S1).\n")
    generated = _lat(home, "users", "add", "ada", "--role", "admin")  # stdin is not a terminal: generated
    assert generated.returncode == 0
    password = generated.stdout.split("Password (shown once): ")[1].strip()
    assert auth.login(settings, "ada", password, "127.0.0.1").role == "admin"
    listed = _lat(home, "users", "list")
    assert listed.stdout.splitlines() == ["ada  admin            local  all", "hal  school_head      local  school:S1"]
    bad = _lat(home, "users", "add", "x", "--role", "boss", "--password-stdin", stdin=PW + "\n")
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: Unknown role 'boss'") and "Traceback" not in bad.stderr
    changed = _lat(home, "users", "passwd", "hal", "--password-stdin", stdin="a brand new password\n")
    assert changed.returncode == 0
    assert auth.login(settings, "hal", "a brand new password", "127.0.0.1").name == "hal"
    assert _lat(home, "users", "remove", "hal").stdout == "Removed hal.\n"
    assert _lat(home, "users", "remove", "hal").returncode == 1
