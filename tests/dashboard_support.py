"""Shared by the dashboard tests: a LAT_HOME prepared from data/sample (cached), accounts per
role, the real ``lat dashboard`` server in a subprocess, and logging in over HTTP."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from lat.config import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
ARTIFACTS = REPO / "tests" / "artifacts"
PASSWORD = "dashboard-test-password"


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    in_scope: str  # a school whose school-level data the account may see ("" for researchers)


def _fingerprint() -> str:
    """Changes when the sample or the code that turns it into marts changes."""
    digest = hashlib.sha256()
    for root in (SAMPLE, REPO / "lat", REPO / "pipelines"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes() if path.suffix in (".py", ".sql", ".csv") else str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


LAT = str(Path(sys.executable).parent / "lat")  # the installed console script


def _lat(home: Path, *args: str) -> None:
    env = {**os.environ, "LAT_HOME": str(home)}
    subprocess.run([LAT, *args], check=True, env=env, cwd=REPO, capture_output=True, text=True)


def cached_marts() -> Path:
    """marts/ of a LAT_HOME built from data/sample with the real CLI (registry, ingest, compute), cached."""
    cache = ARTIFACTS / "cache" / f"home-{_fingerprint()}"
    if not (cache / "marts" / "current").exists():
        building = cache.with_name(cache.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        _lat(building, "registry", "import", str(SAMPLE / "registry"))
        _lat(building, "ingest", str(SAMPLE / "statements"))
        _lat(building, "compute")
        shutil.rmtree(cache, ignore_errors=True)
        building.rename(cache)
    return cache / "marts"


def prepare_home(home: Path, *, store: bool = False) -> tuple[Settings, dict[str, Account]]:
    """A LAT_HOME with the sample's published marts (and with ``store`` its DuckDB store, which
    research exports read) and one account per role (password PASSWORD)."""
    import polars as pl

    from lat.access.users import add_user

    marts = cached_marts()
    shutil.copytree(marts, home / "marts", symlinks=True)
    if store:
        shutil.copy2(marts.parent / "lat.duckdb", home / "lat.duckdb")
    settings = Settings(home=home)
    current = home / "marts" / "current"
    mentoring = pl.read_parquet(current / "registry_mentoring.parquet").sort("mentor")
    schools = pl.read_parquet(current / "registry_schools.parquet").sort("school")
    hub = schools["hub"][0]
    mentor_row = mentoring.filter(pl.col("mentee_school").is_in(schools.filter(pl.col("hub") == hub)["school"].to_list())).row(0, named=True)
    mentor_kind = "schools" if mentor_row["mentor"] in schools["school"].to_list() else "persons"
    head_school = mentor_row["mentee_school"]  # a mentee school: it has a mentoring timeline
    hub_school = schools.filter(pl.col("hub") == hub)["school"][0]
    accounts = {
        "admin": Account("t-admin", "admin", head_school),
        "hub_coordinator": Account("t-coordinator", "hub_coordinator", hub_school),
        "mentor": Account("t-mentor", "mentor", head_school),
        "school_head": Account("t-head", "school_head", head_school),
        "researcher": Account("t-researcher", "researcher", ""),
    }
    scopes = {"hub_coordinator": {"hubs": [hub]}, "mentor": {mentor_kind: [mentor_row["mentor"]]}, "school_head": {"schools": [head_school]}}
    for role, account in accounts.items():
        add_user(settings, account.name, role, password=PASSWORD, **scopes.get(role, {}))  # type: ignore[arg-type]
    return settings, accounts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dashboard_server(home: Path) -> Iterator[str]:
    """``lat dashboard`` in a subprocess on a free port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "LAT_HOME": str(home)}
    log = open(home / "dashboard.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([LAT, "dashboard", "--port", str(port)], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/login", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"lat dashboard did not start: {(home / 'dashboard.log').read_text()}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def login(base: str, name: str, password: str = PASSWORD) -> requests.Session:
    """A requests session signed in through the real login form (CSRF token included)."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = session.post(
        f"{base}/login", data={"csrf_token": token.group(1), "username": name, "password": password, "next": "/"}, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 303, answer.text
    return session


def dependencies(session: requests.Session, base: str) -> list[dict[str, Any]]:
    """The app's server callbacks as the browser learns them (GET /_dash-dependencies); the
    clientside ones run in the browser, never at /_dash-update-component."""
    answer = session.get(f"{base}/_dash-dependencies", timeout=30)
    answer.raise_for_status()
    result: list[dict[str, Any]] = [d for d in answer.json() if not d.get("clientside_function")]
    return result


def call(session: requests.Session, base: str, dependency: dict[str, Any], values: dict[str, Any]) -> requests.Response:
    """POST /_dash-update-component for ``dependency`` the way dash-renderer does,
    with ``values`` mapping "component-id.property" to the input's value."""
    inputs = [{"id": i["id"], "property": i["property"], "value": values[f"{i['id']}.{i['property']}"]} for i in dependency["inputs"]]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in _outputs(dependency["output"])]
    payload = {
        "output": dependency["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dependency["inputs"]],
        "state": [],
    }
    return session.post(f"{base}/_dash-update-component", json=payload, timeout=60)


def _outputs(output: str) -> list[str]:
    # multi-output callbacks are written "..a.children...b.children.."
    return [part for part in output.strip(".").split("...")] if output.startswith("..") else [output]


@dataclass(frozen=True)
class Site:
    """A running ``lat dashboard`` on a prepared LAT_HOME, with one account per role."""

    base: str
    settings: Settings
    accounts: dict[str, Account]


@contextmanager
def running_site(home: Path, *, store: bool = False) -> Iterator[Site]:
    """:func:`prepare_home` then :func:`dashboard_server`, as one :class:`Site`."""
    settings, accounts = prepare_home(home, store=store)
    with dashboard_server(home) as base:
        yield Site(base, settings, accounts)
