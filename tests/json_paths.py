"""Paths into JSON values and copies changed at them: the tools of the mutation tests
(tests/test_validation.py, tests/test_fastpath.py, tests/test_fastpath_rules.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

DELETE = object()  # a change that removes the property
Path = tuple[Any, ...]  # keys and indexes from the root
Change = tuple[Path, Any]  # (path, new value or DELETE)


def paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """The path of every property and element inside ``value``, containers included (not the root)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


def leaves(value: Any) -> Iterator[Path]:
    """The paths of the values inside ``value`` that are no object or array."""
    return (path for path in paths(value) if not isinstance(at(value, path), dict | list))


def at(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def changed(value: Any, changes: list[Change]) -> Any:
    """A deep copy of ``value`` with each change made in turn."""
    out = copy.deepcopy(value)
    for path, new in changes:
        holder = at(out, path[:-1])
        if new is DELETE:
            del holder[path[-1]]
        else:
            holder[path[-1]] = new
    return out
