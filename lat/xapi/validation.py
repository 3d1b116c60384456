"""Strict, specific and fast validation of xAPI statements (xAPI 1.0.3 and 2.0 / IEEE 9274.1.1).

Use :func:`validate` for a reason string (or None) and :func:`check` for an exception::

    >>> validate({"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
    ...           "object": {"id": "http://example.org/meetings/1"}}) is None
    True

The reason names the property path first, e.g. ``"result.score.scaled: 1.5 is outside
[-1, 1]"``. Statements are checked as parsed from JSON, before the toolbox assigns id,
stored or timestamp. The rules are listed in ``docs/validation.md``; their code lives in
:mod:`lat.xapi.rules`.
"""

from __future__ import annotations

from lat.xapi.rules import join
from lat.xapi.rules.statements import statement_error

__all__ = ["StatementError", "check", "validate"]

# version argument -> rule set: 1 = xAPI 1.0.x, 2 = xAPI 2.0.x, 0 = either.
_MODES = {None: 0, "1.0.3": 1, "2.0.0": 2}


class StatementError(ValueError):
    """A statement that breaks an xAPI rule; the message is :func:`validate`'s reason."""


def _mode(stmt: object, version: str | None) -> int:
    mode = _MODES.get(version)
    if mode is None:
        if version is None or not isinstance(version, str):
            raise ValueError(f"version must be '1.0.3', '2.0.0' or None, got {version!r}")
        # other patch levels of the same minor version follow the same rules
        if version.startswith("1.0"):
            mode = 1
        elif version.startswith("2.0"):
            mode = 2
        else:
            raise ValueError(f"version must be '1.0.3', '2.0.0' or None, got {version!r}")
    if mode == 0 and stmt.__class__ is dict:
        # With no version asked for, a statement that declares its own version gets that
        # version's rules (a 2.0.0 statement needs RFC 3339 timestamps, for instance).
        declared = stmt.get("version")
        if declared.__class__ is str:
            if declared.startswith("2.0"):
                return 2
            if declared.startswith("1.0"):
                return 1
    return mode


def validate(stmt: object, *, version: str | None = None) -> str | None:
    """Return None when ``stmt`` is a valid xAPI statement, else one reason naming the property path.

    ``version`` is ``"1.0.3"`` or ``"2.0.0"`` to apply that version's rules, or None to
    accept either (a statement's own ``version`` property then picks the rules).
    """
    reason = statement_error(stmt, _mode(stmt, version))
    if reason is None:
        return None
    return join("statement", reason) if reason[0] in ":[" else reason


def check(stmt: object, *, version: str | None = None) -> None:
    """Raise :class:`StatementError` with the reason when ``stmt`` is not a valid statement."""
    reason = validate(stmt, version=version)
    if reason is not None:
        raise StatementError(reason)
