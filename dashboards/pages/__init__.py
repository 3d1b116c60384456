"""The pages: path, title key, the roles whose navigation shows it, and the module.

Each page module has ``layout(params, lang)`` (filters, rendered by the router) and
``register(app)`` (its data callback). Adding a page = a module plus one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from dashboards.pages import compare, hub, mentor, research, research_export, school
from lat.access.users import ADMIN, HUB_COORDINATOR, MENTOR, RESEARCHER, SCHOOL_HEAD


@dataclass(frozen=True)
class Page:
    path: str
    title_key: str
    roles: frozenset[str]
    module: ModuleType


PAGES: tuple[Page, ...] = (
    Page(school.PATH, "page.school", frozenset({ADMIN, HUB_COORDINATOR, MENTOR, SCHOOL_HEAD}), school),
    Page(mentor.PATH, "page.mentor", frozenset({ADMIN, HUB_COORDINATOR, MENTOR}), mentor),
    Page(hub.PATH, "page.hub", frozenset({ADMIN, HUB_COORDINATOR}), hub),
    Page(compare.PATH, "page.compare", frozenset({ADMIN, HUB_COORDINATOR, MENTOR, SCHOOL_HEAD, RESEARCHER}), compare),
    Page(research.PATH, "page.research", frozenset({ADMIN, HUB_COORDINATOR, RESEARCHER}), research),
    Page(research_export.PATH, "page.export", frozenset({ADMIN, RESEARCHER}), research_export),
)
# Where "/" leads each role.
HOME: dict[str, str] = {ADMIN: hub.PATH, HUB_COORDINATOR: hub.PATH, MENTOR: mentor.PATH, SCHOOL_HEAD: school.PATH, RESEARCHER: research.PATH}


def for_role(role: str) -> list[Page]:
    return [page for page in PAGES if role in page.roles]


def find(path: str, role: str) -> Page | None:
    """The page at ``path`` (``/`` means the role's home), or None when absent or not for the role."""
    path = HOME.get(role, compare.PATH) if path in ("", "/") else path.rstrip("/")
    return next((page for page in for_role(role) if page.path == path), None)
