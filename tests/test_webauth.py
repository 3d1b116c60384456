"""Dashboard login over real HTTP: a Flask app served by werkzeug on 127.0.0.1 in a thread."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from lat.access import audit
from lat.access.users import add_user
from lat.access.web_session import LANGUAGE_COOKIE
from lat.access.webauth import current_access, current_user, init_app, login_required, set_texts
from lat.config import Settings

PW = "correct horse battery"


def _app(settings: Settings, *, protect_all: bool = True) -> Flask:
    app = Flask("lat-test")
    init_app(app, settings, protect_all=protect_all)

    @app.get("/")
    def home() -> str:
        return f"hello {current_user().name} ({current_access().user.role})"

    @app.post("/_dash-update-component")
    def callback() -> dict[str, str]:
        return {"user": current_user().name}

    @app.get("/open")
    def open_page() -> str:
        return "public when the app is not guarded as a whole"

    @app.get("/guarded")
    @login_required
    def guarded() -> str:
        return f"guarded for {current_user().name}"

    return app


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    settings = Settings(home=tmp_path)
    add_user(settings, "hal", "school_head", password=PW, schools=["S1"])
    return settings


def _serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def base(settings: Settings) -> Iterator[str]:
    yield from _serve(_app(settings))


def _login_form(client: requests.Session, base: str, path: str = "/login") -> dict[str, str]:
    page = client.get(base + path)
    assert page.status_code == 200
    fields = dict(re.findall(r'name="(csrf_token|next)" value="([^"]*)"', page.text))
    return fields


def _login(client: requests.Session, base: str, password: str = PW, **extra: str) -> requests.Response:
    form = _login_form(client, base) | {"username": "hal", "password": password} | extra
    return client.post(base + "/login", data=form, allow_redirects=False)


def test_unauthenticated_requests_are_refused(base: str) -> None:
    page = requests.get(base + "/", headers={"Accept": "text/html"}, allow_redirects=False)
    assert (page.status_code, page.headers["Location"]) == (302, "/login?next=/")
    callback = requests.post(base + "/_dash-update-component", json={}, allow_redirects=False)
    assert (callback.status_code, callback.json()) == (401, {"error": "login required"})
    assert requests.get(base + "/logout", allow_redirects=False).status_code in (302, 401)


def test_login_sets_a_hardened_session_cookie_and_opens_the_app(base: str, settings: Settings) -> None:
    client = requests.Session()
    response = _login(client, base, next="/")
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    cookie = next(c for c in response.headers["Set-Cookie"].split(", lat") if "lat_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie and "Max-Age=28800" in cookie
    assert client.get(base + "/").text == "hello hal (school_head)"
    assert client.post(base + "/_dash-update-component", json={}).json() == {"user": "hal"}
    assert [(e.actor, e.action, e.ip) for e in audit.read(settings, action="login")] == [("hal", "login", "127.0.0.1")]


def test_a_wrong_password_is_refused_without_a_session(base: str) -> None:
    client = requests.Session()
    response = _login(client, base, password="wrong password")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert "lat_session" not in client.cookies
    assert client.get(base + "/", allow_redirects=False).status_code == 302


def test_five_failures_lock_the_login_out(base: str) -> None:
    client = requests.Session()
    for _ in range(5):
        assert _login(client, base, password="wrong password").status_code == 401
    locked = _login(client, base)  # the right password, too late
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "lat_session" not in client.cookies


def test_a_login_post_without_the_csrf_token_is_refused(base: str) -> None:
    client = requests.Session()
    _login_form(client, base)
    missing = client.post(base + "/login", data={"username": "hal", "password": PW}, allow_redirects=False)
    assert missing.status_code == 400
    forged = client.post(base + "/login", data={"username": "hal", "password": PW, "csrf_token": "0" * 64}, allow_redirects=False)
    assert forged.status_code == 400
    # a token from another browser's form does not match this browser's nonce cookie
    other = _login_form(requests.Session(), base)
    assert client.post(base + "/login", data={"username": "hal", "password": PW, **other}, allow_redirects=False).status_code == 400
    assert "lat_session" not in client.cookies


def test_logout_needs_the_sessions_csrf_token_and_ends_the_session(base: str, settings: Settings) -> None:
    client = requests.Session()
    _login(client, base)
    stolen = client.cookies["lat_session"]
    assert client.post(base + "/logout", allow_redirects=False).status_code == 400
    form = client.get(base + "/logout").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    out = client.post(base + "/logout", data={"csrf_token": token.group(1)}, allow_redirects=False)
    assert (out.status_code, out.headers["Location"]) == (303, "/login")
    assert "lat_session" not in client.cookies
    replay = requests.get(base + "/", cookies={"lat_session": stolen}, allow_redirects=False)
    assert replay.status_code == 302  # the server forgot the session: the old cookie is worthless
    assert [e.action for e in audit.read(settings, action="logout")] == ["logout"]


def test_cross_origin_posts_are_refused(base: str) -> None:
    client = requests.Session()
    _login(client, base)
    evil = client.post(base + "/_dash-update-component", json={}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    same = client.post(base + "/_dash-update-component", json={}, headers={"Origin": base})
    assert same.status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(base: str, target: str) -> None:
    response = _login(requests.Session(), base, next=target)
    assert response.headers["Location"] == "/"


def test_the_cookie_is_secure_when_configured(settings: Settings) -> None:
    secure = Settings(home=settings.home, cookie_secure=True)
    for base in _serve(_app(secure)):
        page = requests.get(base + "/login")
        assert "Secure" in page.headers["Set-Cookie"]
        # a browser keeps Secure cookies for https; this plain-http client hands the nonce back itself
        form = dict(re.findall(r'name="(csrf_token|next)" value="([^"]*)"', page.text)) | {"username": "hal", "password": PW}
        response = requests.post(base + "/login", data=form, cookies={"lat_login_nonce": page.cookies["lat_login_nonce"]}, allow_redirects=False)
        assert response.status_code == 303
        session_cookie = next(c for c in response.headers["Set-Cookie"].split(", lat") if "lat_session=" in c)
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie


def test_login_required_guards_single_views(settings: Settings) -> None:
    for base in _serve(_app(settings, protect_all=False)):
        client = requests.Session()
        assert client.get(base + "/open").status_code == 200
        assert client.get(base + "/guarded", allow_redirects=False).status_code == 302
        _login(client, base)
        assert client.get(base + "/guarded").text == "guarded for hal"


def test_errors_and_guard_refusals_carry_the_security_headers(settings: Settings) -> None:
    app = _app(settings)

    @app.get("/broken")
    def broken() -> str:
        raise RuntimeError("a bug")  # Flask answers 500; after_request still runs

    for base in _serve(app):
        client = requests.Session()
        _login(client, base)
        answers = [
            client.get(base + "/broken"),
            client.get(base + "/nowhere"),
            requests.get(base + "/", allow_redirects=False),
            requests.post(base + "/login", data={}),
            client.get(base + "/login"),
            client.get(base + "/"),
        ]
        assert [a.status_code for a in answers] == [500, 404, 302, 400, 200, 200]
        for answer in answers:
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["X-Frame-Options"] == "DENY"
            assert answer.headers["Referrer-Policy"] == "no-referrer"
            assert answer.headers["Cache-Control"] == "no-store"
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_the_login_page_speaks_the_chosen_language(settings: Settings) -> None:
    app = _app(settings)
    texts = {"en": {"login.title": "Sign in", "login.username": "User name"}, "pl": {"login.title": "Zaloguj się", "login.username": "Nazwa użytkownika"}}
    set_texts(app, ["en", "pl"], lambda language, key: texts[language].get(key, key))
    for base in _serve(app):
        english = requests.get(base + "/login", headers={"Accept-Language": "de, en;q=0.5"})
        assert '<html lang="en">' in english.text and "<title>Sign in - LAT</title>" in english.text
        polish = requests.get(base + "/login", headers={"Accept-Language": "pl-PL, en;q=0.5"})
        assert '<html lang="pl">' in polish.text and "<h1>Zaloguj się</h1>" in polish.text and "Nazwa użytkownika" in polish.text
        chosen = requests.get(base + "/login", headers={"Accept-Language": "pl"}, cookies={LANGUAGE_COOKIE: "en"})
        assert '<html lang="en">' in chosen.text  # the choice made in the dashboard wins over the browser's default
        unknown = requests.get(base + "/login", cookies={LANGUAGE_COOKIE: "xx"})
        assert f'<html lang="{settings.language}">' in unknown.text
