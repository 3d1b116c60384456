"""OpenID Connect sign-in against a REAL provider: panva/oidc-provider (OpenID Certified) run by
node on 127.0.0.1 from tests/oidc (installed by `make test` with `npm ci`)."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from lat.access import audit
from lat.access.users import add_user, get_user
from lat.access.webauth import current_user, init_app
from lat.config import Settings

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
SECRET = "a-client-secret-for-tests-only-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Settings]]:
    """(dashboard base URL, settings): the app on one port, the provider on another."""
    assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), "run 'make test' (or: cd tests/oidc && npm ci)"
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    server = make_server("127.0.0.1", 0, Flask("placeholder"))  # reserve the app's port first
    app_base = f"http://127.0.0.1:{server.server_port}"
    provider_port = _free_port()
    node = subprocess.Popen(
        ["node", "provider.mjs", str(provider_port), f"{app_base}/oidc/callback", SECRET],
        cwd=OIDC_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert node.stdout is not None
        said = [node.stdout.readline().strip() for _ in range(1)]
        while said[-1] != "ready" and node.poll() is None and len(said) < 20:  # skip node's warnings
            said.append(node.stdout.readline().strip())
        assert said[-1] == "ready", said
        threading.Thread(target=node.stdout.read, daemon=True).start()  # keep draining: a full pipe would block node
        settings = Settings(
            home=tmp_path,
            oidc_issuer=f"http://127.0.0.1:{provider_port}",
            oidc_client_id="lat",
            oidc_client_secret=SECRET,
            oidc_role_map={"hub-staff": "hub_coordinator"},
        )
        app = Flask("lat-oidc-test")
        init_app(app, settings)

        @app.get("/")
        def home() -> str:
            user = current_user()
            return f"{user.name} {user.role} {user.scope_text()}"

        server.app = app
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app_base, settings
        server.shutdown()
        thread.join(timeout=10)
    finally:
        node.terminate()
        node.wait(timeout=10)


def _sign_in(client: requests.Session, base: str, login: str) -> requests.Response:
    """Walk the provider's development login and consent forms like a browser."""
    page = client.get(base + "/oidc/login?next=/")
    for _ in range(4):  # login form, then consent form
        form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        if form is None:
            return page
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
        if 'name="login"' in page.text:
            fields |= {"login": login, "password": "anything"}
        page = client.post(requests.compat.urljoin(page.url, form.group(1)), data=fields)
    return page


def test_sign_in_with_the_identity_provider_maps_role_and_scope(stack: tuple[str, Settings]) -> None:
    base, settings = stack
    client = requests.Session()
    page = _sign_in(client, base, "hub-lead")
    assert (page.status_code, page.url, page.text) == (200, base + "/", "hub-lead hub_coordinator hub:H1")
    user = get_user(settings, "hub-lead")
    assert user is not None and user.external and user.hubs == ("H1",)
    [entry] = audit.read(settings, action="login")
    assert (entry.actor, entry.detail) == ("hub-lead", {"via": "oidc"})


def test_a_user_without_a_lat_role_is_refused(stack: tuple[str, Settings]) -> None:
    base, settings = stack
    page = _sign_in(requests.Session(), base, "nobody")
    assert page.status_code == 403
    assert "has no LAT role in claim 'lat_role'" in page.text
    assert get_user(settings, "nobody") is None


def test_the_provider_cannot_take_over_a_local_account(stack: tuple[str, Settings]) -> None:
    base, settings = stack
    add_user(settings, "head-1", "admin", password="a long local password")
    page = _sign_in(requests.Session(), base, "head-1")
    assert page.status_code == 403 and "is a local account" in page.text
    user = get_user(settings, "head-1")
    assert user is not None and user.role == "admin"


def test_a_callback_without_the_state_cookie_is_refused(stack: tuple[str, Settings]) -> None:
    base, _ = stack
    response = requests.get(base + "/oidc/callback?code=x&state=y", allow_redirects=False)
    assert response.status_code == 400
