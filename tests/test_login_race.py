"""The login lockout holds under parallel guessing, over real HTTP against ``lat dashboard``.

Each request comes from its own loopback address (127.0.0.x: Linux routes all of 127/8 to
lo) when the per-account limit is tested, so only that limit can stop them; and all from one
address at many accounts when the per-address limit is tested. At most ``LAT_LOGIN_MAX_FAILURES``
(5) passwords may be checked (401); every other attempt is refused unchecked (429).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from dashboard_support import PASSWORD, Site, running_site
from lat.access import authdb
from lat.config import Settings

LIMIT = 5  # LAT_LOGIN_MAX_FAILURES' default
PARALLEL = 40


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("race-home")) as running:
        yield running


class _From(HTTPAdapter):
    """Connections from one local source address (so the server sees distinct clients)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _client(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", _From(address))
    return session


def _storm(base: str, tries: list[tuple[str, str, str]]) -> tuple[list[int], list[float]]:
    """POST every (address, user, password) login at once; their statuses and durations, in order."""
    barrier = threading.Barrier(len(tries))
    statuses, seconds = [0] * len(tries), [0.0] * len(tries)

    def attempt(i: int, address: str, name: str, password: str) -> None:
        client = _client(address)
        form = client.get(f"{base}/login", timeout=60)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        barrier.wait()
        started = time.monotonic()
        answer = client.post(
            f"{base}/login", allow_redirects=False, timeout=120, data={"csrf_token": token.group(1), "username": name, "password": password, "next": "/"}
        )
        statuses[i], seconds[i] = answer.status_code, time.monotonic() - started

    threads = [threading.Thread(target=attempt, args=(i, *t)) for i, t in enumerate(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, seconds


def _failures(settings: Settings, column: str, value: str) -> int:
    with authdb.session(settings) as con:
        return int(con.execute(f"SELECT count(*) FROM login_attempts WHERE {column} = ? AND ok = 0", (value,)).fetchone()[0])


def test_parallel_guesses_at_one_account_get_at_most_the_limit_of_password_checks(site: Site) -> None:
    victim, other = site.accounts["admin"].name, site.accounts["researcher"].name
    tries = [(f"127.0.0.{10 + i}", victim, f"wrong-guess-{i}") for i in range(PARALLEL)]
    tries.append(("127.0.0.200", other, PASSWORD))  # an honest user signs in during the storm
    statuses, seconds = _storm(site.base, tries)
    counts = Counter(statuses[:PARALLEL])
    assert set(counts) <= {401, 429}, counts
    assert 1 <= counts[401] <= LIMIT and counts[401] + counts[429] == PARALLEL, counts
    assert _failures(site.settings, "user", victim) == counts[401]
    # per account, not global: the other user's right password is checked and accepted
    assert statuses[PARALLEL] == 303, (statuses[PARALLEL], seconds[PARALLEL])


def test_parallel_guesses_from_one_address_get_at_most_the_limit_of_password_checks(site: Site) -> None:
    address = "127.0.0.250"
    tries = [(address, f"sprayed-{i}", "wrong-guess") for i in range(PARALLEL)]
    statuses, _ = _storm(site.base, tries)
    counts = Counter(statuses)
    assert set(counts) <= {401, 429}, counts
    assert 1 <= counts[401] <= LIMIT and counts[401] + counts[429] == PARALLEL, counts
    assert _failures(site.settings, "ip", address) == counts[401]


def test_the_lockout_still_lets_a_right_password_in_below_the_limit(site: Site) -> None:
    account = site.accounts["school_head"].name
    statuses, _ = _storm(site.base, [("127.0.0.251", account, "wrong-guess")] * (LIMIT - 1))
    assert statuses == [401] * (LIMIT - 1)
    statuses, _ = _storm(site.base, [("127.0.0.252", account, PASSWORD)])
    assert statuses == [303]
    assert _failures(site.settings, "user", account) == 0  # a success forgives the earlier failures
