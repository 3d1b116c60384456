"""Writing an export: data files, manifest, codebook and README, into a folder or a zip.

The folder is built beside the target and renamed into place, so a failed export leaves
nothing half-written. Data files are sorted and written without timestamps: the same store
and key give byte-identical files.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import polars as pl

from lat.errors import LatError


def write_frame(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    """Write ``frame`` to ``path`` as Parquet (zstd) or CSV, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.write_parquet(path, compression="zstd", statistics=False)
    else:
        frame.write_csv(path)


def check_target(out: Path) -> None:
    """Refuse a target that exists and is not an empty folder (an export never overwrites)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise LatError(f"{out} already exists and is not an empty folder: choose a new --out folder.")


def staging(out: Path) -> Path:
    """A fresh hidden folder next to ``out`` to build the export in."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))


def finish(stage: Path, out: Path) -> None:
    """Move the finished export into place (``out`` may be an existing empty folder)."""
    if out.exists():
        out.rmdir()
    os.replace(stage, out)


def discard(stage: Path) -> None:
    """Remove a staging folder and what is in it."""
    shutil.rmtree(stage, ignore_errors=True)


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` as indented UTF-8 JSON."""
    path.write_text(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")


def zip_folder(folder: Path) -> bytes:
    """The folder as zip bytes (entries sorted, fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
