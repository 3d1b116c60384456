"""The pages: path, title key, the action that opens it (asked of the role policy), and the module.

Each page module has ``layout(params, lang)`` (filters, rendered by the router) and
``register(app)`` (its data callback). Adding a page = a module plus one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from dashboards.pages import compare, hub, mentor, research, research_export, school
from lat.access.policy import DataAccess
from lat.access.roles import VIEW_COMPARE, VIEW_EXPORT, VIEW_HUB, VIEW_MENTORING, VIEW_RESEARCH, VIEW_SCHOOL


@dataclass(frozen=True)
class Page:
    """A dashboard page: its path, title key, the action that opens it and its module."""

    path: str
    title_key: str
    view: str  # the action that opens it (lat.access.roles)
    module: ModuleType


PAGES: tuple[Page, ...] = (
    Page(school.PATH, "page.school", VIEW_SCHOOL, school),
    Page(mentor.PATH, "page.mentor", VIEW_MENTORING, mentor),
    Page(hub.PATH, "page.hub", VIEW_HUB, hub),
    Page(compare.PATH, "page.compare", VIEW_COMPARE, compare),
    Page(research.PATH, "page.research", VIEW_RESEARCH, research),
    Page(research_export.PATH, "page.export", VIEW_EXPORT, research_export),
)


def for_user(access: DataAccess) -> list[Page]:
    """The pages this user may open, in navigation order."""
    return [page for page in PAGES if access.may(page.view)]


def find(path: str, access: DataAccess) -> Page | None:
    """The page at ``path`` (``/`` means the user's home), or None when absent or not theirs."""
    pages = for_user(access)
    if path in ("", "/"):
        return next((page for page in pages if page.view == access.home()), None)
    return next((page for page in pages if page.path == path.rstrip("/")), None)
