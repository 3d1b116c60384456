"""A real Ralph LRS (filesystem backend) on 127.0.0.1, for the ``lat pull`` tests.

Ralph lives in its own virtualenv, ``.venv-ralph`` (``make ralph``), because its dependency
pins clash with ours. The tests start it as a separate process and talk HTTP to it; nothing
of Ralph is imported here.

Two quirks of Ralph 5 are handled by the launcher:

* its filesystem backend refuses a second POST (it opens the statements file in "create"
  mode) unless ``FSLRSBackend.default_operation_type`` is set to APPEND before the app is
  imported;
* its auth file holds users with bcrypt hashes, written here with Ralph's own ``bcrypt``.

:class:`DroppingProxy` sits between a client and the LRS and cuts the connection in the
middle of the N-th response: a network failure, with the real LRS behind it.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RALPH_PYTHON = REPO / ".venv-ralph" / "bin" / "python"

# Runs inside .venv-ralph: argv = port.
_LAUNCHER = """
import sys
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""

# Runs inside .venv-ralph: stdin = JSON [[username, password], ...]; stdout = Ralph's auth file.
_AUTH_WRITER = """
import json, sys, bcrypt
users = json.load(sys.stdin)
print(json.dumps([
    {"username": name, "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode(),
     "scopes": ["all"], "agent": {"mbox": f"mailto:{name}@example.org"}}
    for name, password in users
]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Ralph:
    """A running Ralph LRS and one user's credentials."""

    endpoint: str  # ends in /xAPI, the Statement API is endpoint + "/statements"
    key: str
    secret: str

    def post(self, statements: list[dict[str, Any]]) -> list[str]:
        """POST statements; returns the ids Ralph assigned or kept."""
        request = urllib.request.Request(
            f"{self.endpoint}/statements",
            data=json.dumps(statements).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Experience-API-Version": "1.0.3",
                "Authorization": "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.load(response))


@contextmanager
def running_ralph(workdir: Path, key: str = "hub", secret: str = "s3cret-pass") -> Iterator[Ralph]:
    """Start Ralph with the filesystem backend in ``workdir``; stop it on exit."""
    if not RALPH_PYTHON.exists():
        raise RuntimeError(f"{RALPH_PYTHON} is missing: run 'make ralph' (make test does it)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "data").mkdir(exist_ok=True)
    auth = subprocess.run(
        [str(RALPH_PYTHON), "-c", _AUTH_WRITER],
        input=json.dumps([[key, secret]]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (workdir / "auth.json").write_text(auth, encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(workdir),
        "RALPH_AUTH_FILE": str(workdir / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
        "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
    }
    log = (workdir / "ralph.log").open("wb")
    process = subprocess.Popen([str(RALPH_PYTHON), "-c", _LAUNCHER, str(port)], env=env, stdout=log, stderr=log)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/__heartbeat__", process, workdir / "ralph.log")
        yield Ralph(f"http://127.0.0.1:{port}/xAPI", key, secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Ralph exited with {process.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError(f"Ralph did not come up at {url}: {log.read_text(errors='replace')}")


class DroppingProxy:
    """A TCP proxy to ``upstream_port`` that can cut the connection mid-response.

    While ``drop_on`` is N, the N-th request (counting from 1) gets only the first half of
    its response before the connection is closed; other requests pass through untouched.
    Each client connection carries one request (``lat pull`` sends ``Connection: close``).
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.drop_on: int | None = None
        self.requests = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            self.requests += 1
            threading.Thread(target=self._relay, args=(client, self.requests == self.drop_on), daemon=True).start()

    def _relay(self, client: socket.socket, drop: bool) -> None:
        with client, socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
            request = _read_request(client)
            upstream.sendall(request)
            response = b""
            while chunk := upstream.recv(65536):
                response += chunk
            client.sendall(response[: len(response) // 2] if drop else response)

    def close(self) -> None:
        self._server.close()


def _read_request(client: socket.socket) -> bytes:
    """One HTTP request without a body (the puller only sends GETs), with Connection: close."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + rest
