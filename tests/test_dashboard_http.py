"""The dashboard over real HTTP: ``lat dashboard`` in a subprocess, requests as each role.

Every data-serving callback (POST /_dash-update-component with the payload dash-renderer
sends) and every download is called for a school in the user's scope and for one outside
it; the out-of-scope answers must not hold that school's id or name, nor any school of its
hub. Requests without a session are refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator

import polars as pl
import pytest
import requests

from dashboard_support import Account, call, dashboard_server, dependencies, login, prepare_home
from dashboards.views import VIEWS
from lat.access import audit
from lat.access.users import get_user
from lat.config import Settings
from lat.export.anonymise import create_key_file, key_file

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
    settings, accounts = prepare_home(home, store=True)
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
        "url.pathname": page,
        "url.search": f"?school={school}&hub={hub}",
        "lang.value": "en",
        "school-select.value": school,
        "school-round.value": rounds[-1],
        "school-area.value": "",
        "mentor-hub.value": hub,
        "hub-select.value": hub,
        "hub-round.value": rounds[-1],
        "hub-level.value": "",
        "hub-area.value": "",
        "compare-round.value": rounds[-1],
        "compare-area.value": "A",
        "compare-group.value": "teacher",
        "compare-country.value": "",
        "research-round.value": "",
        "research-area.value": "",
        "mentor-level.value": "",
        "school-period-start.value": None,
        "school-period-end.value": None,
        "school-grain.value": "week",
        "hub-period-start.value": "2025-10-01",
        "hub-period-end.value": None,
        "hub-grain.value": "month",
        "export-k.value": 5,
        "export-level.value": "schools",
        "export-format.value": "csv",
    }


PAGES = ("/school", "/mentor", "/hub", "/compare", "/research", "/export")
ROLES = ("admin", "hub_coordinator", "mentor", "school_head", "researcher")
# The page each callback output belongs to ("" for the frame every signed-in role gets).
OUTPUT_PAGE = {
    "nav.children": "",
    "school-body.children": "/school",
    "school-time.children": "/school",
    "mentor-body.children": "/mentor",
    "hub-body.children": "/hub",
    "hub-time.children": "/hub",
    "compare-body.children": "/compare",
    "research-body.children": "/research",
    "export-body.children": "/export",
}


@pytest.mark.parametrize("role", ROLES)
def test_callbacks_hold_no_data_of_out_of_scope_schools(site: Site, role: str) -> None:
    account = site.accounts[role]
    session = login(site.base, account.name)
    deps = dependencies(session, site.base)
    assert len(deps) == 9  # router, one per page, two over-time sections: a new callback must be added to _values
    school, hub, hub_names = _outside(site, account)
    name = site.schools.filter(pl.col("school") == school)["school_name"][0]
    open_pages = {page for page in PAGES if role in PAGE_ROLES[page]} | {""}
    for page in PAGES:
        for dep in deps:
            answer = call(session, site.base, dep, _values(site, school, hub, page))
            owner = next(p for o, p in OUTPUT_PAGE.items() if o in dep["output"])
            if owner not in open_pages:  # a page kept out of the role's navigation refuses its callbacks too
                assert answer.status_code == 403, (role, dep["output"], answer.status_code)
                continue
            assert answer.status_code in (200, 204), (dep["output"], answer.text[:300])
            if role == "admin":
                continue  # admins see every school
            assert school not in answer.text, (role, page, dep["output"])
            for leaked in hub_names:
                assert leaked not in answer.text, (role, page, dep["output"], leaked)
    if role == "admin":
        school_dep = next(d for d in deps if d["output"] == "school-body.children")
        assert name in call(session, site.base, school_dep, _values(site, school, hub, "/school")).text
        time_dep = next(d for d in deps if d["output"] == "school-time.children")
        assert "school-activity-chart" in call(session, site.base, time_dep, _values(site, school, hub, "/school")).text


PAGE_ROLES = {
    "/school": {"admin", "hub_coordinator", "mentor", "school_head"},
    "/mentor": {"admin", "hub_coordinator", "mentor"},
    "/hub": {"admin", "hub_coordinator"},
    "/compare": set(ROLES),
    "/research": {"admin", "hub_coordinator", "researcher"},
    "/export": {"admin", "researcher"},
}


def _visible_schools(site: Site, role: str) -> set[str]:
    """The schools whose data the account may see, from the registry (not from lat.access.policy)."""
    user = get_user(site.settings, site.accounts[role].name)
    assert user is not None
    if role == "school_head":
        return set(user.schools)
    pairs = pl.read_parquet(site.marts / "registry_mentoring.parquet")
    return set(pairs.filter(pl.col("mentor").is_in([*user.persons, *user.schools]))["mentee_school"].to_list())


@pytest.mark.parametrize("role", ("mentor", "school_head"))
def test_heads_and_mentors_see_no_other_school_of_their_own_hub(site: Site, role: str) -> None:
    """The pairing table once named the mentor school beside a head's school, with its area averages."""
    visible = _visible_schools(site, role)
    own = site.schools.filter(pl.col("school").is_in(sorted(visible)))
    pairs = pl.read_parquet(site.marts / "registry_mentoring.parquet")
    mentors = pairs.filter(pl.col("mentee_school").is_in(sorted(visible)))["mentor"].to_list()  # a mentee knows its mentor school
    others = site.schools.filter(pl.col("hub").is_in(own["hub"].to_list()) & ~pl.col("school").is_in(sorted(visible) + mentors))
    assert own.height and others.height
    names = site.schools["school_name"].to_list()
    distinct = [n for n in others["school_name"].to_list() if sum(n in m for m in names) == 1]
    session = login(site.base, site.accounts[role].name)
    school, hub = own["school"][0], own["hub"][0]
    texts = []
    for view in VIEWS:
        for query in ({"school": school, "hub": hub}, {"hub": hub}, {}):
            answer = session.get(f"{site.base}/download/{view}.csv", params=query, timeout=60)
            assert answer.status_code in (200, 403), (view, answer.status_code)
            texts.append((view, answer.text if answer.status_code == 200 else ""))
    deps = dependencies(session, site.base)
    for dep in deps:
        answer = call(session, site.base, dep, _values(site, school, hub, "/hub"))
        texts.append((dep["output"], answer.text))
    # whole ids only: a mentor person's id (school id + "-m2") names the mentor, whom the school knows
    other_ids = re.compile("|".join(rf"(?<![\w-]){re.escape(o)}(?![\w-])" for o in others["school"].to_list()))
    for where, text in texts:
        m = other_ids.search(text)
        assert not m, (role, where, text[max(0, m.start() - 200) : m.end() + 50] if m else "")
        assert not any(name in text for name in distinct), (role, where)
    hub_dep = next(d for d in deps if d["output"] == "hub-body.children")
    assert call(session, site.base, hub_dep, _values(site, school, hub, "/hub")).status_code == 403


def test_pairing_suggestions_reach_coordinators_and_admins_only(site: Site) -> None:
    pairs = pl.read_parquet(site.marts / "pairing_suggestions.parquet")
    for role in ROLES:
        session = login(site.base, site.accounts[role].name)
        hub = site.schools.filter(pl.col("school") == site.accounts[role].in_scope)["hub"][0] if site.accounts[role].in_scope else ""
        answer = session.get(f"{site.base}/download/hub-pairs.csv", params={"hub": hub}, timeout=60)
        rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff")))) if answer.status_code == 200 else []
        expected = pairs.filter(pl.col("hub") == hub).height if role in ("admin", "hub_coordinator") else 0
        assert max(len(rows) - 1, 0) == expected, (role, answer.status_code)
    assert pairs.height > 0


def test_bad_callback_requests_get_a_clear_400(site: Site) -> None:
    session = login(site.base, site.accounts["admin"].name)
    dep = next(d for d in dependencies(session, site.base) if d["output"] == "school-body.children")
    values = _values(site, site.accounts["admin"].in_scope, "", "/school")
    answer = call(session, site.base, dep, {**values, "school-select.value": ["a", "b"]})
    assert answer.status_code == 400 and "one value" in answer.text
    unknown = session.post(f"{site.base}/_dash-update-component", json={"output": "nowhere.children", "inputs": []}, timeout=30)
    assert unknown.status_code == 400 and "no callback" in unknown.text
    assert session.post(f"{site.base}/_dash-update-component", data=b"[1,", timeout=30).status_code == 400


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
    assert answer.status_code == 403 and "not available for your role" in answer.text
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


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_dash-layout"),
        ("GET", "/_dash-dependencies"),
        ("POST", "/_dash-update-component"),
        ("GET", "/download/country-maturity.csv"),
        ("GET", "/download/school-areas.xlsx"),
        ("GET", "/export/research.zip?k=5&level=schools&format=csv"),
    ],
)
def test_requests_without_a_session_are_refused(site: Site, method: str, path: str) -> None:
    answer = requests.request(method, f"{site.base}{path}", json={} if method == "POST" else None, allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 401)
    assert "maturity" not in answer.text.lower() or answer.status_code == 302


def test_pages_redirect_to_the_login_without_a_session(site: Site) -> None:
    answer = requests.get(f"{site.base}/school?school=x", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=/school")


def _export_body(site: Site, role: str, **values: object) -> str:
    session = login(site.base, site.accounts[role].name)
    dep = next(d for d in dependencies(session, site.base) if d["output"] == "export-body.children")
    answer = call(session, site.base, dep, {**_values(site, "", "", "/export"), **values})
    return json.dumps(answer.json(), ensure_ascii=False)  # Dash escapes "&" in its JSON; compare the decoded text


def test_research_export_says_how_to_set_a_key_then_gives_a_documented_zip(site: Site) -> None:
    url = f"{site.base}/export/research.zip"
    query = {"k": "5", "level": "schools", "format": "csv"}
    researcher = login(site.base, site.accounts["researcher"].name)
    assert not key_file(site.settings).exists()
    assert "LAT_EXPORT_KEY" in _export_body(site, "researcher")
    refused = researcher.get(url, params=query, timeout=120)
    assert refused.status_code == 400 and "LAT_EXPORT_KEY" in refused.text
    created = create_key_file(site.settings)  # what 'lat demo' does when no key is configured
    try:
        assert "/export/research.zip?k=5&level=schools&format=csv" in _export_body(site, "researcher")
        assert "at least 2" in _export_body(site, "researcher", **{"export-k.value": 1})
        answer = researcher.get(url, params=query, timeout=120)
        assert answer.status_code == 200, answer.text[:300]
        assert answer.headers["Content-Disposition"] == 'attachment; filename="lat-research-schools-k5-csv.zip"'
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        manifest = json.loads(archive.read("manifest.json"))
        assert list(manifest["files"]) == ["data/schools.csv"]
        assert set(archive.namelist()) == {"data/schools.csv", "manifest.json", "codebook.json", "codebook.md", "README.md"}
        data = archive.read("data/schools.csv")
        assert hashlib.sha256(data).hexdigest() == manifest["files"]["data/schools.csv"]["sha256"]
        assert manifest["files"]["data/schools.csv"]["rows"] == data.decode().count("\n") - 1
        assert not any(school in data.decode() for school in site.schools["school"].to_list())
        assert researcher.get(url, params={**query, "k": "1"}, timeout=60).status_code == 400
        assert researcher.get(url, params={**query, "k": "five"}, timeout=60).status_code == 400
        entries = [e for e in audit.read(site.settings, action=audit.EXPORT) if e.actor == site.accounts["researcher"].name]
        assert any(e.target == "research-export:schools" and e.detail["destination"] == "zip download" for e in entries)
    finally:
        assert created is not None
        created.unlink()


@pytest.mark.parametrize("role", ("hub_coordinator", "mentor", "school_head"))
def test_other_roles_get_no_research_export(site: Site, role: str) -> None:
    session = login(site.base, site.accounts[role].name)
    answer = session.get(f"{site.base}/export/research.zip", params={"k": "5", "level": "answers", "format": "csv"}, timeout=60)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "only admins and researchers" in answer.text
    dep = next(d for d in dependencies(session, site.base) if d["output"] == "export-body.children")
    assert call(session, site.base, dep, _values(site, "", "", "/export")).status_code == 403  # the page is not theirs
    denied = [e for e in audit.read(site.settings, action=audit.ACCESS_DENIED) if e.actor == site.accounts[role].name]
    assert any(e.target == "research-export:answers" for e in denied)


def test_badge_list_for_the_head_never_for_mentors_or_coordinators(site: Site) -> None:
    school = site.accounts["school_head"].in_scope
    people = pl.read_parquet(site.marts / "credentials_person.parquet").filter(pl.col("school") == school)
    assert people.height > 0
    head = login(site.base, site.accounts["school_head"].name)
    got = pl.read_csv(io.BytesIO(head.get(f"{site.base}/download/school-badges.csv", params={"school": school}, timeout=60).content))
    assert sorted(got["person"].to_list()) == sorted(people["person"].to_list())
    for role in ("mentor", "hub_coordinator"):
        session = login(site.base, site.accounts[role].name)
        assert session.get(f"{site.base}/download/school-badges.csv", params={"school": school}, timeout=60).status_code == 403
        dep = next(d for d in dependencies(session, site.base) if d["output"] == "school-body.children")
        text = call(session, site.base, dep, _values(site, school, "", "/school")).text
        assert "table-school-credentials" in text  # the counts, yes
        assert "table-school-badges" not in text and people["person"][0] not in text  # whose badges, no
    dep = next(d for d in dependencies(head, site.base) if d["output"] == "school-body.children")
    assert "table-school-badges" in call(head, site.base, dep, _values(site, school, "", "/school")).text


def test_bad_period_in_a_download_is_a_plain_400(site: Site) -> None:
    session = login(site.base, site.accounts["school_head"].name)
    answer = session.get(
        f"{site.base}/download/school-activity.csv", params={"school": site.accounts["school_head"].in_scope, "start": "last week"}, timeout=60
    )
    assert answer.status_code == 400
    assert "not a date" in answer.text and "Traceback" not in answer.text
