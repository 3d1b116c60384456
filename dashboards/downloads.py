"""``/download/<view>.<csv|xlsx>``: any dashboard table as a file, read through DataAccess.

The login guard covers this route like every other; each download is written to the audit
log as an export (user, table, filters, rows, format).
"""

from __future__ import annotations

import io

import polars as pl
from flask import Flask, Response, abort, request

from dashboards.views import VIEWS, Params, view
from lat import audit
from lat.access import AccessDenied

MIME = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def register(server: Flask) -> None:
    server.add_url_rule("/download/<name>.<fmt>", "lat_download", download)


def download(name: str, fmt: str) -> Response:
    from lat.webauth import _client_ip, current_access

    if name not in VIEWS or fmt not in MIME:
        abort(404)
    access = current_access()
    params = Params.from_mapping(request.args)
    try:
        frame = view(name, access, params)
    except AccessDenied:
        abort(403)
    audit.record(access.settings, access.user.name, audit.EXPORT, target=f"dashboard:{name}",
                 detail={"format": fmt, "rows": frame.height, "filters": params.query()}, ip=_client_ip())
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
