"""What every dashboard table starts from: the filters a view takes (:class:`Params`) and a
mart read through the role policy (:func:`read`, :func:`published`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import polars as pl

from lat.access.policy import DataAccess


@dataclass(frozen=True)
class Params:
    """The filters a view takes; empty strings mean "not chosen"."""

    school: str = ""
    hub: str = ""
    country: str = ""
    round: str = ""
    level: str = ""
    area: str = ""
    group: str = ""
    start: str = ""  # first day of the period (YYYY-MM-DD) for activity and mentoring over time
    end: str = ""  # last day of the period
    grain: str = ""  # "week" (default) or "month" for the activity trends

    @classmethod
    def from_mapping(cls, values: Any) -> Params:
        """Params from a query string or dict, ignoring unknown keys and non-strings."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in dict(values).items() if k in known and isinstance(v, str)})

    def query(self) -> dict[str, str]:
        """The chosen filters, for a download link's query string."""
        return {k: v for k, v in asdict(self).items() if v}


def published(access: DataAccess, name: str) -> bool:
    """Whether mart ``name`` is published and readable by this user (listed once per request)."""
    names: set[str] | None = getattr(access, "_dashboard_published", None)
    if names is None:
        names = set(access.marts())
        access._dashboard_published = names  # type: ignore[attr-defined]  # DataAccess lives one request
    return name in names


def read(access: DataAccess, name: str, **filters: Any) -> pl.DataFrame:
    """A mart through DataAccess, with empty filter values dropped."""
    return access.mart(name, **{k: v for k, v in filters.items() if v not in ("", None)})
