"""A real `lat lrs` process on 127.0.0.1 for the LRS tests, and a small HTTP client for it."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LAT = [str(Path(sys.executable).parent / "lat")]  # the installed console script


def lat(home: Path, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the `lat` CLI as a real process with LAT_HOME=home."""
    env = {**os.environ, "LAT_HOME": str(home)}
    done = subprocess.run([*LAT, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"lat {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done


def credential(home: Path, name: str, *scopes: str) -> tuple[str, str]:
    flags = [arg for scope in scopes for arg in ("--scope", scope)]
    made = json.loads(lat(home, "lrs", "credentials", "add", name, *flags).stdout)
    return made["key"], made["secret"]


@dataclass
class Lrs:
    """A running `lat lrs` and its endpoint."""

    home: Path
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT
    auth: dict[str, str] = field(default_factory=dict)  # credential name -> Basic header value

    @property
    def endpoint(self) -> str:
        return self.url + "/xapi/"

    def login(self, name: str, *scopes: str) -> str:
        key, secret = credential(self.home, name, *scopes)
        self.auth[name] = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        return self.auth[name]

    def request(
        self, method: str, path: str, body: Any = None, *, who: str = "admin", version: str = "1.0.3", headers: dict[str, str] | None = None
    ) -> tuple[int, Any, Any]:
        """(status, headers, parsed JSON body or raw bytes)."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/xapi" + path, data=data, method=method)
        request.add_header("X-Experience-API-Version", version)
        request.add_header("Authorization", self.auth[who])
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, got, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            status, got, raw = exc.code, exc.headers, exc.read()
        try:
            return status, got, json.loads(raw) if raw else None
        except ValueError:
            return status, got, raw

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


def start(home: Path) -> Lrs:
    """Start `lat lrs --port 0` and wait for its 'listening' line (the port it picked)."""
    env = {**os.environ, "LAT_HOME": str(home)}
    process = subprocess.Popen([*LAT, "lrs", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise AssertionError(f"lat lrs did not start: {line}{process.stderr.read() if process.stderr else ''}")
    url = line.split("listening on ")[1].split("/xapi")[0]
    return Lrs(home, process, url)


def statement(n: int, **extra: Any) -> dict[str, Any]:
    """A small valid statement; ``n`` makes its object unique."""
    return {
        "actor": {"objectType": "Agent", "mbox": f"mailto:teacher{n % 7}@school.example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en": "attended"}},
        "object": {"objectType": "Activity", "id": f"http://hub.example.org/meetings/{n}"},
        **extra,
    }
