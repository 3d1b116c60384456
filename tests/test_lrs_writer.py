"""The one-writer design with real processes: durability, concurrent clients, delegated commands."""

from __future__ import annotations

import json
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.lrs_support import Lrs, lat, start, statement

CLIENTS = 8
BATCHES = 3  # per client
BATCH = 100


def test_a_200_is_durable_kill_9_right_after_and_the_statements_are_there(tmp_path: Path) -> None:
    server = start(tmp_path)
    server.login("admin", "all")
    sent = [statement(n, id=str(uuid.uuid4())) for n in range(50)]
    status, _, ids = server.request("POST", "/statements", sent)
    assert status == 200
    server.stop(signal.SIGKILL)  # no shutdown: only what was committed survives
    again = start(tmp_path)
    again.auth = server.auth
    try:
        for sid in ids:
            assert again.request("GET", f"/statements?statementId={sid}")[0] == 200
    finally:
        again.stop()


def test_8_clients_posting_batches_at_once_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    server = start(tmp_path)
    server.login("admin", "all")
    batches = [[statement(c * 1000 + b * BATCH + n, id=str(uuid.uuid4())) for n in range(BATCH)] for c in range(CLIENTS) for b in range(BATCHES)]
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(lambda batch: server.request("POST", "/statements", batch), batches, timeout=120))
        assert [a[0] for a in answers] == [200] * len(batches)
        expected = sorted(s["id"] for batch in batches for s in batch)
        assert sorted(i for a in answers for i in a[2]) == expected
    finally:
        server.stop()
    status = json.loads(lat(tmp_path, "status", "--json").stdout)  # the LRS is gone: a direct read
    assert status["statements"] == CLIENTS * BATCHES * BATCH
    assert status["conflicts"] == 0 and status["rejected"] == 0


def test_status_compute_and_ingest_work_while_the_lrs_holds_the_store(tmp_path: Path) -> None:
    server: Lrs = start(tmp_path)
    server.login("admin", "all")
    try:
        assert server.request("POST", "/statements", [statement(n) for n in range(3)])[0] == 200
        status = json.loads(lat(tmp_path, "status", "--json").stdout)
        assert status["statements"] == 3
        assert status["sources"][0]["source"] == "lrs:admin"
        file = tmp_path / "more.ndjson"
        file.write_text("\n".join(json.dumps(statement(100 + n)) for n in range(4)) + "\n")
        ingested = json.loads(lat(tmp_path, "ingest", "--json", str(file)).stdout)
        assert ingested["stored"] == 4
        computed = lat(tmp_path, "compute", timeout=300)
        assert "run (" in computed.stdout and (tmp_path / "marts" / "current").exists()
        assert json.loads(lat(tmp_path, "status", "--json").stdout)["statements"] == 7
    finally:
        server.stop()
    assert not (tmp_path / "run" / "writer.json").exists()  # removed on a clean exit


def test_a_stale_run_file_is_ignored(tmp_path: Path) -> None:
    from lat.config import get_settings
    from lat.store import database as store

    settings = get_settings(home=tmp_path)
    store.write_run_file(settings, {"pid": 2**22 + 12345, "url": "http://127.0.0.1:1", "token": "x"})
    assert store.live_writer(settings) is None
    file = tmp_path / "one.ndjson"
    file.write_text(json.dumps(statement(1)) + "\n")
    assert json.loads(lat(tmp_path, "ingest", "--json", str(file)).stdout)["stored"] == 1  # opened the store itself
