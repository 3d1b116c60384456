"""Errors the user can act on.

Anything raised as a :class:`LatError` is printed by the CLI as one readable line
(no traceback) and ends the command with exit code 1.
"""

from __future__ import annotations


class LatError(Exception):
    """A failure caused by input or environment that the user can fix."""


class StoreBusy(LatError):
    """Another process holds the DuckDB store for writing."""
