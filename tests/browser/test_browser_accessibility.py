"""WCAG 2.1 A and AA in headless Chromium, with axe-core (pinned in tests/axe, ``make axe``):
the login page and every page each role reaches, in English and Polish, and the pages a person
may open on a phone at a phone's size. A serious or critical violation of a WCAG rule fails;
moderate and minor ones, and axe's best practices, are printed and written to tests/artifacts/axe/. Beside axe: ``<html lang>`` is the chosen
language, the title names the page, headings start at one h1 and never skip a level, and the
focused element is visibly outlined."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Live, settle

from dashboard_support import ARTIFACTS, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TAGS = [*WCAG, "best-practice"]  # axe's best practices too, reported only
BLOCKING = frozenset({"serious", "critical"})  # of the WCAG rules
REPORTS = ARTIFACTS / "axe"
ROLES = ("admin", "hub_coordinator", "mentor", "school_head", "researcher")
LANGUAGES = {"en": "English", "pl": "Polski"}
SIGN_IN = {"en": "Sign in", "pl": "Zaloguj się"}
PHONE = {"width": 390, "height": 844}
# Pages a person opens on a phone: (role, path). The respondents' questionnaire pages go here
# when they exist; until then, a school head's own school page.
PHONE_PAGES = (("school_head", "/school"),)

RUN_AXE = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
HEADING_LEVELS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.getClientRects().length > 0).map(h => Number(h.tagName[1]))"""


def audit(page: Any, name: str) -> list[dict[str, Any]]:
    """axe's violations (WCAG 2.1 A/AA and best practices) on the page as it is now; also written to REPORTS/<name>.json."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through DevTools rather than added as a <script>: the page's CSP stays as served
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(RUN_AXE, TAGS)
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "wcag": any(tag in WCAG for tag in v["tags"]),
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
        }
        for v in result["violations"]
    ]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical WCAG violations, one line each; the others are printed."""
    fails = [v for v in violations if v["wcag"] and v["impact"] in BLOCKING]
    for v in violations:
        if v not in fails:
            kind = "WCAG" if v["wcag"] else "best practice"
            print(f"  {v['impact']} ({kind}): {v['id']} x{len(v['targets'])}: {v['help']}: {', '.join(v['targets'][:3])}")
    return [f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'][:4])}" for v in fails]


def structure(page: Any, lang: str, title: str) -> list[str]:
    """What is wrong with the page's language, title and headings (nothing: [])."""
    problems = []
    if (found := page.evaluate("() => document.documentElement.lang")) != lang:
        problems.append(f"<html lang={found!r}>, expected {lang!r}")
    if not page.title().startswith(title):
        problems.append(f"title {page.title()!r} does not name the page {title!r}")
    levels = page.evaluate(HEADING_LEVELS)
    if levels[:1] != [1] or levels.count(1) != 1:
        problems.append(f"headings {levels}: one h1, first")
    skipped = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    if skipped:
        problems.append(f"headings skip a level: {skipped}")
    return problems


def choose_language(page: Any, lang: str) -> None:
    page.select_option("#lang", label=LANGUAGES[lang])
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang, timeout=30_000)
    settle(page)


def open_page(page: Any, path: str) -> str:
    """Follow the navigation link to ``path``; its text (the page's name)."""
    link = page.locator(f"#nav a[href='{path}']")
    name = link.inner_text().strip()
    link.click()
    page.wait_for_selector(f"#nav a.active[href='{path}']", timeout=30_000)
    page.wait_for_selector("#page .card, #page .notice", timeout=30_000)
    settle(page)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")  # the charts' figures as text, checked too
    return name


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_login_page(browser: Any, live: Live, lang: str, size: str) -> None:
    viewport = PHONE if size == "phone" else {"width": 1366, "height": 900}
    context = browser.new_context(viewport=viewport, locale="pl-PL" if lang == "pl" else "en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live.base}/login")
        print(f"login {lang} {size}:")
        failures = blocking(audit(page, f"login-{lang}-{size}")) + structure(page, lang, SIGN_IN[lang])
        assert failures == []
    finally:
        context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_in_both_languages(page_for: Any, role: str) -> None:
    page = page_for(role)
    settle(page)
    paths = [page.locator("#nav a").nth(i).get_attribute("href") for i in range(page.locator("#nav a").count())]
    assert paths
    failures: list[str] = []
    for lang in LANGUAGES:
        if lang != "en":
            choose_language(page, lang)
        for path in paths:
            title = open_page(page, path)
            print(f"{role} {lang} {path}:")
            found = blocking(audit(page, f"{role}-{lang}{path.replace('/', '-')}")) + structure(page, lang, title)
            failures += [f"{lang} {path}: {f}" for f in found]
    assert failures == []
    assert page.console_errors == []  # the CSP let everything the fixes need run


@pytest.mark.parametrize(("role", "path"), PHONE_PAGES)
def test_phone_pages(page_for: Any, role: str, path: str) -> None:
    page = page_for(role, **PHONE)
    title = open_page(page, path)
    print(f"{role} phone {path}:")
    failures = blocking(audit(page, f"{role}-phone{path.replace('/', '-')}")) + structure(page, "en", title)
    assert failures == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # WCAG 1.4.10 reflow: no sideways scrolling


FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
    return {id: e.id || (e.closest('[id]') || {}).id || '', tag: e.tagName,
            outlined: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def test_keyboard_reaches_and_operates_the_filters_with_visible_focus(page_for: Any) -> None:
    page = page_for("hub_coordinator")
    settle(page)
    reached: list[dict[str, Any]] = []
    while not reached or reached[-1]["id"] != "hub-period-end":
        assert len(reached) < 300, f"Tab never reaches the period's end: {[r['id'] for r in reached]}"
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    ids = [r["id"] for r in reached]
    assert ids[0] == "skip-link"
    order = [ids.index(control) for control in ("nav", "lang", "hub-select", "hub-round", "hub-level", "hub-area", "hub-period-start", "hub-period-end")]
    assert order == sorted(order), ids  # header, the filters, the over-time fields: reading order
    unmarked = [r for r in reached if not r["outlined"]]
    assert unmarked == [], "focus not visible on these"
    # operated from the keyboard: a date typed and Enter redraws the over-time section from that date on
    page.keyboard.press("Shift+Tab")  # back to the period's start
    assert page.evaluate(FOCUSED)["id"] == "hub-period-start"
    page.keyboard.type("2026-01-01")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('#hub-time .notice')", timeout=30_000)
    settle(page)
    periods = page.locator("#table-hub-activity td[data-dash-column=period]").all_inner_texts()
    assert periods and min(periods) >= "2025-12-29", periods  # the week of 1 January 2026 starts on Monday 29 December
    page.focus("#hub-level")
    page.keyboard.press("End")  # a native select changes its choice from the keyboard, closed
    last = page.evaluate("() => [...document.querySelectorAll('#hub-level option')].pop().value")
    page.wait_for_function("last => document.querySelector('#hub-level').value === last", arg=last, timeout=10_000)
    settle(page)
    assert page.locator("#hub-body .summary").count() == 1  # the body was drawn again for that level
