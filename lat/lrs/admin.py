"""The loopback admin endpoint: jobs that other commands hand over while the LRS holds the store.

DuckDB admits one writing process per file. While ``lat lrs`` runs, ``lat status``,
``lat compute``, ``lat ingest`` and ``lat registry import`` find ``LAT_HOME/run/writer.json``
(see :func:`lat.store.database.live_writer`) and POST their job here instead of opening the store::

    POST /admin/run   Authorization: Bearer <token from writer.json>
    {"job": "status"} | {"job": "compute", "full": false} | {"job": "ingest", "paths": [...]}
    | {"job": "registry-import", "directory": "..."}

The job runs in this process, against the same database: reads on a cursor, ``compute``
(it writes only mart tables) on its own connection, jobs that write statements or the
registry on the writer thread, between statement groups. The answer is ``{"result": ...}``,
or ``{"error": message}`` with status 400 for a :class:`~lat.errors.LatError`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from lat.errors import LatError
from lat.lrs.context import Service, json_response
from lat.lrs.errors import ApiError

if TYPE_CHECKING:
    from lat.store.status import StoreStatus


def handle(request: Request, service: Service, token: str) -> Response:
    """Run one job POSTed to /admin/run by a loopback client holding the admin token; its result as JSON."""
    if request.path != "/admin/run" or request.method != "POST":
        raise ApiError(404, "the admin endpoint is POST /admin/run")
    if request.remote_addr not in ("127.0.0.1", "::1"):
        raise ApiError(403, "the admin endpoint answers loopback clients only")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(401, "wrong admin token (it is in LAT_HOME/run/writer.json)")
    try:
        spec = orjson.loads(request.get_data())
    except orjson.JSONDecodeError:
        raise ApiError(400, "the job must be a JSON object") from None
    name = spec.get("job") if isinstance(spec, dict) else None
    job = JOBS.get(name) if isinstance(name, str) else None
    if job is None:
        raise ApiError(400, f"unknown job; one of {', '.join(sorted(JOBS))}")
    try:
        return json_response({"result": job(service, spec)})
    except LatError as exc:
        return json_response({"error": str(exc)}, 400)


def _status(service: Service, spec: dict[str, Any]) -> StoreStatus:
    from lat.store.status import gather

    return gather(service.cursor())


def _compute(service: Service, spec: dict[str, Any]) -> dict[str, Any]:
    if service.compute is None:
        raise LatError("This LRS was started without the pipelines: run 'lat compute' yourself.")
    result = service.compute(service.settings, full=bool(spec.get("full")))
    out = asdict(result)
    out["version"] = None if result.version is None else str(result.version)
    return out


def _ingest(service: Service, spec: dict[str, Any]) -> dict[str, int]:
    from lat.ingest.engine import ingest_paths

    paths = [Path(p) for p in spec.get("paths", [])]
    return service.writer.call(lambda con: ingest_paths(paths, service.settings).as_dict())


def _registry_import(service: Service, spec: dict[str, Any]) -> dict[str, object]:
    from lat.registry import organisation as registry

    loaded = registry.load(Path(spec["directory"]))
    changed = service.writer.call(lambda con: registry.write(con, loaded))
    return {"counts": loaded.counts(), "changed": changed}


JOBS: dict[str, Callable[[Service, dict[str, Any]], object]] = {  # job -> its result (sent as JSON)
    "status": _status,
    "compute": _compute,
    "ingest": _ingest,
    "registry-import": _registry_import,
}
