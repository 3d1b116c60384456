"""The dashboard over real HTTP: ``lat dashboard`` in a subprocess, requests as each role.

Every data-serving callback (POST /_dash-update-component with the payload dash-renderer
sends) and every download is called for a school in the user's scope and for one outside
it; the out-of-scope answers must not hold that school's id or name, nor any school of its
hub. Requests without a session are refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import polars as pl
import pytest
import requests
from dashboard_support import Account, call, dashboard_server, dependencies, login, prepare_home

from dashboards.views import VIEWS
from lat import audit
from lat.config import Settings

pytestmark = pytest.mark.slow


class Site:
    def __init__(self, base: str, settings: Settings, accounts: dict[str, Account]) -> None:
        self.base, self.settings, self.accounts = base, settings, accounts
        current = settings.home / "marts" / "current"
        self.schools = pl.read_parquet(current / "registry_schools.parquet")
        self.marts = current


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("dash-home")
    settings, accounts = prepare_home(home)
    with dashboard_server(home) as base:
        yield Site(base, settings, accounts)


def _outside(site: Site, account: Account) -> tuple[str, str, list[str]]:
    """(school, hub, names of that hub's schools) outside the account's hub."""
    own_hub = site.schools.filter(pl.col("school") == account.in_scope)["hub"][0] if account.in_scope else ""
    other = site.schools.filter(pl.col("hub") != own_hub).sort("school")
    names = site.schools["school_name"].to_list()
    for row in other.iter_rows(named=True):  # a name that is no part of another name, so a find is a real leak
        if sum(row["school_name"] in n for n in names) == 1:
            hub_names = other.filter(pl.col("hub") == row["hub"])["school_name"].to_list()
            return row["school"], row["hub"], hub_names
    raise AssertionError("no distinct school name in the sample")


def _values(site: Site, school: str, hub: str, page: str) -> dict[str, object]:
    rounds = sorted(pl.read_parquet(site.marts / "maturity_area.parquet")["round"].unique().to_list())
    return {
        "url.pathname": page, "url.search": f"?school={school}&hub={hub}", "lang.value": "en",
        "school-select.value": school, "school-round.value": rounds[-1], "school-area.value": "",
        "mentor-hub.value": hub, "hub-select.value": hub, "hub-round.value": rounds[-1], "hub-level.value": "", "hub-area.value": "",
        "compare-round.value": rounds[-1], "compare-area.value": "A", "compare-group.value": "teacher", "compare-country.value": "",
        "research-round.value": "",
    }


PAGES = ("/school", "/mentor", "/hub", "/compare", "/research")
ROLES = ("admin", "hub_coordinator", "mentor", "school_head", "researcher")


@pytest.mark.parametrize("role", ROLES)
def test_callbacks_hold_no_data_of_out_of_scope_schools(site: Site, role: str) -> None:
    account = site.accounts[role]
    session = login(site.base, account.name)
    deps = dependencies(session, site.base)
    assert len(deps) == 6  # router + one per page: a new callback must be added to _values
    school, hub, hub_names = _outside(site, account)
    name = site.schools.filter(pl.col("school") == school)["school_name"][0]
    for page in PAGES:
        for dep in deps:
            answer = call(session, site.base, dep, _values(site, school, hub, page))
            assert answer.status_code in (200, 204), (dep["output"], answer.text[:300])
            if role == "admin":
                continue  # admins see every school
            assert school not in answer.text, (role, page, dep["output"])
            for leaked in hub_names:
                assert leaked not in answer.text, (role, page, dep["output"], leaked)
    if role == "admin":
        school_dep = next(d for d in deps if d["output"] == "school-body.children")
        assert name in call(session, site.base, school_dep, _values(site, school, hub, "/school")).text


@pytest.mark.parametrize("role", ("admin", "hub_coordinator", "mentor", "school_head"))
def test_in_scope_school_page_shows_the_school(site: Site, role: str) -> None:
    account = site.accounts[role]
    session = login(site.base, account.name)
    school_dep = next(d for d in dependencies(session, site.base) if d["output"] == "school-body.children")
    row = site.schools.filter(pl.col("school") == account.in_scope).row(0, named=True)
    answer = call(session, site.base, school_dep, _values(site, account.in_scope, row["hub"], "/school"))
    assert answer.status_code == 200
    assert row["school_name"] in answer.text
    assert "school-area-matrix" in answer.text


def test_researcher_gets_no_school_page(site: Site) -> None:
    account = site.accounts["researcher"]
    session = login(site.base, account.name)
    school_dep = next(d for d in dependencies(session, site.base) if d["output"] == "school-body.children")
    other = site.schools["school"][0]
    answer = call(session, site.base, school_dep, _values(site, other, "", "/school"))
    assert "This school is not in your view" in answer.text
    assert site.schools["school_name"][0] not in answer.text


@pytest.mark.parametrize("role", ("hub_coordinator", "mentor", "school_head", "researcher"))
def test_downloads_hold_no_data_of_out_of_scope_schools(site: Site, role: str) -> None:
    account = site.accounts[role]
    session = login(site.base, account.name)
    school, hub, hub_names = _outside(site, account)
    for view in VIEWS:
        for fmt in ("csv", "xlsx"):
            answer = session.get(f"{site.base}/download/{view}.{fmt}", params={"school": school, "hub": hub}, timeout=60)
            assert answer.status_code in (200, 403), (view, answer.status_code)
            if fmt == "csv" and answer.status_code == 200:
                assert school not in answer.text, (role, view)
                assert not any(n in answer.text for n in hub_names), (role, view)
                if view.startswith("school-"):
                    assert len(list(csv.reader(io.StringIO(answer.text)))) == 1, (role, view)  # the header only


def test_in_scope_download_equals_the_mart_and_is_audited(site: Site) -> None:
    account = site.accounts["school_head"]
    session = login(site.base, account.name)
    mart = pl.read_parquet(site.marts / "maturity_area.parquet")
    round_ = sorted(mart["round"].unique().to_list())[-1]
    expected = mart.filter((pl.col("school") == account.in_scope) & (pl.col("round") == round_))
    answer = session.get(f"{site.base}/download/school-areas.csv", params={"school": account.in_scope, "round": round_}, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="lat-school-areas.csv"'
    got = pl.read_csv(io.BytesIO(answer.content))
    assert got.height == expected.height > 0
    joined = got.join(expected.select("area", "group", pl.col("n").cast(pl.Int64), pl.col("mean").alias("mart_mean")), on=["area", "group", "n"])
    assert joined.height == expected.height
    assert (joined["mean"] - joined["mart_mean"]).abs().fill_null(0).max() < 1e-9
    xlsx = session.get(f"{site.base}/download/school-areas.xlsx", params={"school": account.in_scope, "round": round_}, timeout=60)
    assert xlsx.content[:2] == b"PK"  # a zip: the Excel workbook
    exports = [e for e in audit.read(site.settings, action=audit.EXPORT) if e.actor == account.name]
    assert {e.target for e in exports} >= {"dashboard:school-areas"}
    assert {e.detail["format"] for e in exports} >= {"csv", "xlsx"}
    assert any(e.detail["rows"] == expected.height for e in exports)


def test_researcher_may_download_aggregates_but_not_school_tables(site: Site) -> None:
    session = login(site.base, site.accounts["researcher"].name)
    assert session.get(f"{site.base}/download/country-maturity.csv", timeout=60).status_code == 200
    assert session.get(f"{site.base}/download/school-areas.csv", params={"school": site.schools["school"][0]}, timeout=60).status_code == 403
    assert session.get(f"{site.base}/download/nonexistent.csv", timeout=60).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_dash-layout"), ("GET", "/_dash-dependencies"), ("POST", "/_dash-update-component"),
    ("GET", "/download/country-maturity.csv"), ("GET", "/download/school-areas.xlsx"),
])
def test_requests_without_a_session_are_refused(site: Site, method: str, path: str) -> None:
    answer = requests.request(method, f"{site.base}{path}", json={} if method == "POST" else None, allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 401)
    assert "maturity" not in answer.text.lower() or answer.status_code == 302


def test_pages_redirect_to_the_login_without_a_session(site: Site) -> None:
    answer = requests.get(f"{site.base}/school?school=x", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=/school")

