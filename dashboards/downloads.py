"""``/download/<view>.<csv|xlsx>``: any dashboard table as a file, read through DataAccess;
``/export/research.zip?k=&level=&format=``: the anonymised research export (``lat export``).

The login guard covers these routes like every other; each download is written to the audit
log as an export (user, table, filters, rows, format; the research export audits itself).
"""

from __future__ import annotations

import io

import polars as pl
from flask import Flask, Response, abort, request

from dashboards.reading import Params
from dashboards.views import VIEWS, view
from lat.access import audit
from lat.access.policy import AccessDenied
from lat.errors import LatError

MIME = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def register(server: Flask) -> None:
    """Add the download and research-export routes to ``server``."""
    server.add_url_rule("/download/<name>.<fmt>", "lat_download", download)
    server.add_url_rule("/export/research.zip", "lat_research_export", research_export)


def download(name: str, fmt: str) -> Response:
    """One dashboard table as CSV or Excel, with the filters of the query string; audited as an export."""
    from lat.access.web_session import client_ip
    from lat.access.webauth import current_access

    if name not in VIEWS or fmt not in MIME:
        abort(404)
    access = current_access()
    params = Params.from_mapping(request.args)
    try:
        frame = view(name, access, params)
    except AccessDenied:
        abort(403)
    except LatError as exc:  # a malformed filter (e.g. a date): say which, never a traceback
        return _plain(str(exc), 400)
    audit.record(
        access.settings,
        access.user.name,
        audit.EXPORT,
        target=f"dashboard:{name}",
        detail={"format": fmt, "rows": frame.height, "filters": params.query()},
        ip=client_ip(),
    )
    response = Response(render(frame, fmt), mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="lat-{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def render(frame: pl.DataFrame, fmt: str) -> bytes:
    """The frame as CSV (UTF-8 with BOM, so spreadsheet programs read accents) or as an Excel workbook."""
    if fmt == "csv":
        return "\ufeff".encode() + frame.write_csv().encode("utf-8")
    buffer = io.BytesIO()
    frame.to_pandas().to_excel(buffer, index=False, sheet_name="data", engine="openpyxl")
    return buffer.getvalue()


def research_export() -> Response:
    """The research export as a zip: admins and researchers only (403 for others), audited by lat.export."""
    from lat.access.webauth import current_access
    from lat.export import build_zip

    access = current_access()
    try:
        k = int(request.args.get("k", "5"))
    except ValueError:
        return _plain(f"k {request.args.get('k')!r} is not a whole number.", 400)
    level, fmt = request.args.get("level", "answers"), request.args.get("format", "parquet")
    try:
        data = build_zip(access, k=k, level=level, fmt=fmt)
    except AccessDenied as exc:
        return _plain(str(exc), 403)
    except LatError as exc:  # bad parameters, no export key, no store: the reason in words
        return _plain(str(exc), 400)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="lat-research-{level}-k{k}-{fmt}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain; charset=utf-8")
