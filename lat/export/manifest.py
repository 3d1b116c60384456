"""manifest.json: the parameters of an export, the software, and every data file's facts.

``files`` maps each data file (path relative to the export) to its rows, SHA-256, the
quasi-identifier columns and the k it is anonymous for, so a recipient can check both
integrity and the anonymity claim with their own tools.
"""

from __future__ import annotations

import hashlib
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lat import __version__


def sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(root: Path, relative: str, rows: int, quasi_identifiers: list[str], k: int) -> dict[str, Any]:
    """The manifest entry of one data file: rows, SHA-256, quasi-identifiers and k."""
    return {"rows": rows, "sha256": sha256(root / relative), "quasi_identifiers": quasi_identifiers, "k": k}


def build(parameters: dict[str, Any], files: dict[str, Any], loss: dict[str, Any], privacy: dict[str, Any]) -> dict[str, Any]:
    """The manifest document (the export key is never part of it)."""
    import polars

    return {
        "format": "lat-research-export/1",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "software": {"lat": __version__, "polars": polars.__version__, "python": platform.python_version()},
        "parameters": parameters,
        "privacy": privacy,
        "information_lost": loss,
        "files": files,
    }
