"""The dashboard in headless Chromium: log in as each role, walk the pages, compare the
numbers shown with the marts, download a CSV, switch to Polish; no console errors."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import Live, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAV = {  # role -> the pages its navigation shows
    "admin": ["/school", "/mentor", "/hub", "/compare", "/research", "/export"],
    "hub_coordinator": ["/school", "/mentor", "/hub", "/compare", "/research"],
    "mentor": ["/school", "/mentor", "/compare"],
    "school_head": ["/school", "/compare"],
    "researcher": ["/compare", "/research", "/export"],
}


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_walks_its_pages_without_console_errors(page_for: Any, live: Live, shots: Path, role: str) -> None:
    page = page_for(role)
    links = page.locator("#nav a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == NAV[role]
    for path in NAV[role]:
        page.click(f"#nav a[href='{path}']")
        page.wait_for_selector(".card, .notice", timeout=30_000)
        settle(page)
        assert "cannot be shown" not in page.inner_text("#page")
        page.screenshot(path=str(shots / f"{role}{path.replace('/', '-')}.png"), full_page=True)
    assert page.console_errors == []


def test_school_head_sees_the_marts_numbers_and_downloads_csv(page_for: Any, live: Live, shots: Path) -> None:
    page = page_for("school_head")
    settle(page)
    page.wait_for_selector("#school-area-matrix")
    school = live.accounts["school_head"].in_scope
    mart = pl.read_parquet(live.settings.home / "marts" / "current" / "maturity_area.parquet").filter(pl.col("school") == school)
    latest = sorted(mart["round"].unique().to_list())[-1]
    cells = mart.filter(pl.col("round") == latest)
    rows = page.locator("#school-area-matrix tbody tr")
    headers = [h.strip() for h in page.locator("#school-area-matrix thead th").all_inner_texts()]
    group_names = {"School leaders": "leader", "Teachers": "teacher", "Students": "student"}
    checked = suppressed = 0
    for i in range(rows.count()):
        area = rows.nth(i).locator("th").inner_text().split(" ")[0]
        texts = rows.nth(i).locator("td").all_inner_texts()
        for header, text in zip(headers[1:], texts, strict=True):
            group = group_names.get(header)
            if group is None:
                continue
            found = cells.filter((pl.col("area") == area) & (pl.col("group") == group))
            if found.is_empty():  # the group was not asked about this area
                assert text == "—"
                continue
            cell = found.row(0, named=True)
            if cell["suppressed"]:
                assert text == f"suppressed (n={cell['n']})"
                suppressed += 1
            else:
                assert text == f"{cell['mean']:.2f} (n={cell['n']})"
                checked += 1
    assert checked >= 8 and checked + suppressed == cells.height

    with page.expect_download() as info:
        page.click("#download-school-areas-csv")
    download = info.value
    assert download.suggested_filename == "lat-school-areas.csv"
    got = pl.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    assert got.height == cells.height
    assert sorted(got["n"].to_list()) == sorted(cells["n"].cast(pl.Int64).to_list())
    page.screenshot(path=str(shots / "school_head-school-readiness.png"), full_page=True)
    assert page.console_errors == []


def test_mentor_sees_stalled_schools_first_with_reasons(page_for: Any, live: Live) -> None:
    page = page_for("mentor")
    page.wait_for_selector("#table-mentee-progress")
    settle(page)
    statuses = page.locator("#table-mentee-progress td[data-dash-column=status]").all_inner_texts()
    assert statuses, "no mentee rows"
    stalled = [s for s in statuses if s.strip() == "Stalled"]
    assert statuses[: len(stalled)] == stalled  # stalled first
    if stalled:
        assert page.locator("#table-mentee-progress td[data-dash-column=reason]").first.inner_text().strip() != ""


def test_language_switch_to_polish(page_for: Any, live: Live, shots: Path) -> None:
    page = page_for("hub_coordinator")
    page.select_option("#lang", "pl")
    page.wait_for_selector("text=Szkoły huba", timeout=30_000)
    settle(page)
    assert "Gotowość szkoły" in page.inner_text("#nav")
    page.screenshot(path=str(shots / "hub_coordinator-hub-pl.png"), full_page=True)
    assert page.console_errors == []


def test_tablet_layout_of_the_school_page(page_for: Any, live: Live, shots: Path) -> None:
    page = page_for("school_head", width=820, height=1180)
    page.wait_for_selector("#school-area-matrix")
    settle(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 820  # nothing wider than the tablet: no sideways scrolling of the page
    page.screenshot(path=str(shots / "school_head-school-tablet.png"), full_page=True)


def test_school_head_sees_activity_by_month_and_the_badge_list(page_for: Any, live: Live, shots: Path) -> None:
    page = page_for("school_head")
    page.wait_for_selector("#school-activity-chart")
    # the badge list comes with the page body, another callback than the activity chart's
    page.wait_for_selector("#table-school-badges", timeout=30_000)
    settle(page)
    assert page.locator("#table-school-badges").count() == 1
    weeks = page.locator("#table-school-activity td[data-dash-column=weeks]").all_inner_texts()
    assert weeks and set(weeks) == {"1"}  # weekly by default
    page.select_option("#school-grain", label="Month")
    page.wait_for_selector("text=per month (average of the weeks)", timeout=30_000)
    settle(page)
    weeks = page.locator("#table-school-activity td[data-dash-column=weeks]").all_inner_texts()
    assert weeks and max(int(w) for w in weeks) > 1
    page.screenshot(path=str(shots / "school_head-school-activity-month.png"), full_page=True)
    assert page.console_errors == []


def test_researcher_downloads_the_export_zip(page_for: Any, live: Live, shots: Path) -> None:
    page = page_for("researcher")
    page.click("#nav a[href='/export']")
    page.wait_for_selector("#export-download", timeout=30_000)
    page.fill("#export-k", "3")
    page.keyboard.press("Enter")
    page.wait_for_selector("#export-download[href*='k=3']", timeout=30_000)
    settle(page)
    page.screenshot(path=str(shots / "researcher-export.png"), full_page=True)
    with page.expect_download(timeout=120_000) as info:
        page.click("#export-download")
    download = info.value
    assert download.suggested_filename == "lat-research-schools-k3-csv.zip"
    archive = zipfile.ZipFile(Path(download.path()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["parameters"]["k"] == 3
    assert list(manifest["files"]) == ["data/schools.csv"]
    assert page.console_errors == []
