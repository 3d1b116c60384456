"""The roles of LAT's users, what each may do, and a user as the access layer sees them.

Which rows of which marts a role reads is decided in :mod:`lat.access.policy`; what else it
may do (open a dashboard page, see a badge list, export research data) is the table
:data:`PERMISSIONS` below, asked through :meth:`lat.access.policy.DataAccess.may`. Nothing
else in LAT branches on role names (see docs/access-control.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN = "admin"
HUB_COORDINATOR = "hub_coordinator"
MENTOR = "mentor"
SCHOOL_HEAD = "school_head"
RESEARCHER = "researcher"
ROLES = (ADMIN, HUB_COORDINATOR, MENTOR, SCHOOL_HEAD, RESEARCHER)


@dataclass(frozen=True)
class User:
    """A user as the access layer sees it."""

    name: str
    role: str
    schools: tuple[str, ...] = ()
    hubs: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    external: bool = False
    created_at: str = field(default="", compare=False)

    def scope_text(self) -> str:
        """Human-readable scope: ``hub:EE-TLN, school:S01``, or ``all`` / ``aggregates``."""
        parts = [f"hub:{h}" for h in self.hubs] + [f"school:{s}" for s in self.schools]
        parts += [f"person:{p}" for p in self.persons]
        if parts:
            return ", ".join(parts)
        return "all" if self.role == ADMIN else "aggregates"


# What a role may do besides reading the marts its scope allows.
VIEW_SCHOOL = "view:school"  # the dashboard's pages
VIEW_MENTORING = "view:mentoring"
VIEW_HUB = "view:hub"
VIEW_COMPARE = "view:compare"
VIEW_RESEARCH = "view:research"
VIEW_EXPORT = "view:export"
SCHOOL_ROWS = "school_rows"  # school-level rows (of the schools in scope)
BADGE_LIST = "badge_list"  # which of a school's teachers earned which badge: the school's staff data
RESEARCH_EXPORT = "research_export"  # the anonymised research dataset (lat export)

PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset({VIEW_SCHOOL, VIEW_MENTORING, VIEW_HUB, VIEW_COMPARE, VIEW_RESEARCH, VIEW_EXPORT, SCHOOL_ROWS, BADGE_LIST, RESEARCH_EXPORT}),
    HUB_COORDINATOR: frozenset({VIEW_SCHOOL, VIEW_MENTORING, VIEW_HUB, VIEW_COMPARE, VIEW_RESEARCH, SCHOOL_ROWS}),
    MENTOR: frozenset({VIEW_SCHOOL, VIEW_MENTORING, VIEW_COMPARE, SCHOOL_ROWS}),
    SCHOOL_HEAD: frozenset({VIEW_SCHOOL, VIEW_COMPARE, SCHOOL_ROWS, BADGE_LIST}),
    RESEARCHER: frozenset({VIEW_COMPARE, VIEW_RESEARCH, VIEW_EXPORT, RESEARCH_EXPORT}),
}
# The page a role lands on.
HOME: dict[str, str] = {ADMIN: VIEW_HUB, HUB_COORDINATOR: VIEW_HUB, MENTOR: VIEW_MENTORING, SCHOOL_HEAD: VIEW_SCHOOL, RESEARCHER: VIEW_RESEARCH}


def may(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (one of the names above); unknown roles may nothing."""
    return action in PERMISSIONS.get(role, frozenset())
