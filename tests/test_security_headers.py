"""Every answer of the dashboard's server carries the security headers, over real HTTP against
``lat dashboard``: each route of its Flask url_map (signed in and not), a 404, 400s and a 405.
Static files may be cached; everything else is no-store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dashboard_support import Site, call, dependencies, login, running_site
from dashboards.app import create_app
from dashboards.views import VIEWS
from lat.access.http_headers import STATIC_PREFIXES

pytestmark = pytest.mark.slow

ASSET = min(p.name for p in (Path(__file__).resolve().parents[1] / "dashboards" / "assets").iterdir())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("headers-home")) as running:
        yield running


def _check(answer: requests.Response, what: str) -> None:
    headers = answer.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, what
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;| )", csp), (what, csp)
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp, what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "no-referrer", what
    static = answer.request.path_url.startswith(STATIC_PREFIXES) and answer.status_code in (200, 304)
    if not static:
        assert headers.get("Cache-Control") == "no-store", (what, answer.status_code, headers.get("Cache-Control"))


def _requests(site: Site, session: requests.Session) -> dict[str, list[tuple[str, str, dict[str, object]]]]:
    """For each rule of the url_map: the (method, path, requests keywords) that exercise it."""
    index = session.get(f"{site.base}/", timeout=30).text
    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert suite, index[:2000]
    return {
        "/static/<path:filename>": [("GET", "/static/none.css", {})],
        "/assets/<path:filename>": [("GET", f"/assets/{ASSET}", {})],
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": [("GET", suite.group(1), {})],
        "/_dash-layout": [("GET", "/_dash-layout", {})],
        "/_dash-dependencies": [("GET", "/_dash-dependencies", {})],
        "/_dash-update-component": [("POST", "/_dash-update-component", {"json": {"output": "no.such"}})],  # 400
        "/_reload-hash": [("GET", "/_reload-hash", {})],
        "/_favicon.ico": [("GET", "/_favicon.ico", {})],
        "/": [("GET", "/", {})],
        "/<path:path>": [("GET", "/school", {})],
        "/login": [("GET", "/login", {}), ("POST", "/login", {"data": {"username": "x", "password": "y"}})],  # 400: no token
        "/logout": [("GET", "/logout", {}), ("POST", "/logout", {"data": {}})],  # 400: no token
        "/download/<name>.<fmt>": [("GET", f"/download/{min(VIEWS)}.csv", {}), ("GET", "/download/nothing.csv", {})],
        "/export/research.zip": [("GET", "/export/research.zip?k=x", {})],  # 400: k is no number
        "extra": [("POST", "/download/nothing.csv", {})],  # 405: no such method on a route
    }


def test_every_route_answers_with_the_security_headers(site: Site) -> None:
    rules = {rule.rule for rule in create_app(site.settings).server.url_map.iter_rules()}
    session = login(site.base, site.accounts["admin"].name)
    plan = _requests(site, session)
    assert rules == set(plan) - {"extra"}, "a route without a request here: add one"
    statuses: set[int] = set()
    count = 0
    for rule, tries in plan.items():
        for method, path, extra in tries:
            for who, client in (("signed in", session), ("anonymous", requests.Session())):
                answer = client.request(method, f"{site.base}{path}", allow_redirects=False, timeout=60, **extra)  # type: ignore[arg-type]
                _check(answer, f"{who} {method} {path} ({rule})")
                statuses.add(answer.status_code)
                count += 1
    assert {200, 302, 400, 401, 404, 405} <= statuses, statuses
    assert count >= 2 * len(rules)


def test_data_answers_are_not_stored_and_a_callback_carries_the_headers(site: Site) -> None:
    session = login(site.base, site.accounts["school_head"].name)
    deps = dependencies(session, site.base)
    frame = next(d for d in deps if "page.children" in d["output"])
    answer = call(session, site.base, frame, {"url.pathname": "/school", "url.search": "", "lang.value": "en"})
    assert answer.status_code == 200
    _check(answer, "callback")
    for path in ("/_dash-layout", "/_dash-dependencies", "/school"):
        _check(session.get(f"{site.base}{path}", timeout=30), path)
    assert session.get(f"{site.base}/_dash-layout", timeout=30).headers["Cache-Control"] == "no-store"
