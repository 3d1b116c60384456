"""Research exports: pseudonymous, k-anonymous, documented datasets (``lat export``).

``export(access, out, k=..., level=..., fmt=...)`` writes a folder; ``build_zip(access, ...)``
returns the same as zip bytes (the dashboard's researcher download). Both check the user's
role (admins and researchers export), read the store and marts, and write an ``export``
entry to the audit log. The method is described in docs/export.md.

Modules: anonymise (HMAC pseudonyms), generalise (hierarchies), kanon (k-anonymity),
source (what is read), tables (the three levels), dp (optional differential privacy),
codebook, manifest, readme, writer.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lat.access import audit
from lat.access.roles import RESEARCH_EXPORT
from lat.errors import LatError

if TYPE_CHECKING:
    import polars as pl

    from lat.access.policy import DataAccess

LEVELS = ("answers", "respondents", "schools")
FORMATS = ("parquet", "csv")
MIN_K = 2


@dataclass(frozen=True)
class ExportResult:
    """Where the export went and its manifest."""

    out: Path
    manifest: dict[str, Any]


def check_parameters(k: int, level: str, fmt: str, dp_epsilon: float | None) -> None:
    """Refuse parameters that cannot make a sound export, saying which and why."""
    if k < MIN_K:
        raise LatError(f"--k {k}: k must be at least {MIN_K} (k = 1 is no anonymity at all).")
    if level not in LEVELS:
        raise LatError(f"--level {level!r}: choose one of {', '.join(LEVELS)}.")
    if fmt not in FORMATS:
        raise LatError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if dp_epsilon is not None and level != "schools":
        raise LatError("--dp-epsilon applies to the aggregate table: use it with --level schools.")
    if dp_epsilon is not None and dp_epsilon <= 0:
        raise LatError(f"--dp-epsilon {dp_epsilon}: epsilon must be greater than 0.")


def export(
    access: DataAccess,
    out: Path,
    *,
    k: int = 5,
    level: str = "answers",
    fmt: str = "parquet",
    dp_epsilon: float | None = None,
    destination: str | None = None,
) -> ExportResult:
    """Write an export of ``level`` into the new folder ``out`` (see the module docstring)."""
    from lat.export import anonymise, package

    check_parameters(k, level, fmt, dp_epsilon)
    _check_role(access, level)
    package.check_target(out)
    key = anonymise.export_key(access.settings)
    stage = package.staging(out)
    try:
        manifest = _write(access, stage, key, k=k, level=level, fmt=fmt, dp_epsilon=dp_epsilon)
        package.finish(stage, out)
    except BaseException:
        package.discard(stage)
        raise
    files = manifest["files"]
    audit.record(
        access.settings,
        access.user.name,
        audit.EXPORT,
        target=f"research-export:{level}",
        detail={
            "level": level,
            "k": k,
            "format": fmt,
            "dp_epsilon": dp_epsilon,
            "destination": destination or str(out),
            "rows": {path: entry["rows"] for path, entry in files.items()},
            "sha256": {path: entry["sha256"] for path, entry in files.items()},
        },
    )
    return ExportResult(out, manifest)


def build_zip(access: DataAccess, *, k: int = 5, level: str = "answers", fmt: str = "parquet", dp_epsilon: float | None = None) -> bytes:
    """The export as zip bytes (for the dashboard download); audited like ``lat export``."""
    from lat.export import package

    with tempfile.TemporaryDirectory(prefix="lat-export-") as tmp:
        result = export(access, Path(tmp) / "export", k=k, level=level, fmt=fmt, dp_epsilon=dp_epsilon, destination="zip download")
        return package.zip_folder(result.out)


def summary(manifest: dict[str, Any]) -> list[str]:
    """Lines for stdout: files, k, and the information lost."""
    lines = [f"{path}: {entry['rows']} rows, k={entry['k']}" for path, entry in manifest["files"].items()]
    for name, facts in manifest["information_lost"].items():
        lines.append(f"{name}: " + ", ".join(f"{key} {value}" for key, value in facts.items()))
    return lines


def _check_role(access: DataAccess, level: str) -> None:
    from lat.access.policy import AccessDenied

    if not access.may(RESEARCH_EXPORT):
        audit.record(
            access.settings, access.user.name, audit.ACCESS_DENIED, target=f"research-export:{level}", detail={"reason": "only admins and researchers export"}
        )
        raise AccessDenied(f"{access.user.role} {access.user.name!r} may not export research data: only admins and researchers may.")


def _write(access: DataAccess, root: Path, key: bytes, *, k: int, level: str, fmt: str, dp_epsilon: float | None) -> dict[str, Any]:
    from lat.export import codebook, dp, manifest, package, readme, source, tables
    from lat.export.anonymise import Pseudonymiser

    settings = access.settings
    src = source.load(settings)
    pseud = Pseudonymiser(key)
    schools = tables.schools_k(src, pseud, k)
    loss: dict[str, Any] = {"schools": schools.loss()}
    frames: dict[str, pl.DataFrame] = {}
    if level == "schools":
        frame = tables.schools_table(src, schools, settings.min_cell_size, dp_epsilon)
        loss["schools"]["cells_suppressed_small"] = tables.suppressed_cells(frame)
        frames[f"data/schools.{fmt}"] = frame
        qis = list(tables.SCHOOL_QIS)
    else:
        attributes = tables.school_attributes(src, schools, pseud)
        respondents = tables.respondents_k(src, attributes, pseud, k)
        loss["respondents"] = respondents.loss()
        answers = tables.answers_table(src, respondents)
        loss["answers"] = {"rows_in": src.answers.height, "rows_kept": answers.height, "free_text_dropped": src.free_text_dropped}
        frame = answers if level == "answers" else tables.respondents_table(answers)
        frames[f"data/{level}.{fmt}"] = frame
        qis = list(tables.RECORD_QIS)
    files = {}
    for relative, frame in frames.items():
        package.write_frame(frame, root / relative, fmt)
        files[relative] = manifest.file_entry(root, relative, frame.height, qis, k)
    privacy = {"pseudonyms": "HMAC-SHA256 with LAT_EXPORT_KEY", "k": k, "min_cell_size": settings.min_cell_size, "max_suppression": tables.MAX_SUPPRESSION}
    if dp_epsilon is not None:
        privacy["differential_privacy"] = dp.describe(dp_epsilon, len(tables.AREAS))
    parameters = {"level": level, "k": k, "format": fmt, "dp_epsilon": dp_epsilon, "min_cell_size": settings.min_cell_size}
    document = manifest.build(parameters, files, loss, privacy)
    book = codebook.build(frames)
    package.write_json(root / "manifest.json", document)
    package.write_json(root / "codebook.json", book)
    (root / "codebook.md").write_text(codebook.markdown(book), encoding="utf-8")
    (root / "README.md").write_text(readme.render(document), encoding="utf-8")
    return document
