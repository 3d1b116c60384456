"""``lat alerts`` end to end: the sample's marts, accounts with addresses, a real SMTP server
on loopback (aiosmtpd) receiving what the CLI sends."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import polars as pl
import pytest
from aiosmtpd.controller import Controller

from dashboard_support import LAT, REPO, Account, free_port, prepare_home
from lat.access.contacts import set_contact
from lat.config import Settings

TODAY = "2026-06-19"  # the sample's last mentoring snapshot


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined, arg-type]
        return "250 OK"


@pytest.fixture()
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture()
def home(tmp_path: Path) -> tuple[Settings, dict[str, Account]]:
    settings, accounts = prepare_home(tmp_path / "home")
    languages = {"mentor": "pl", "hub_coordinator": "en", "school_head": "en", "researcher": "en"}
    for role, language in languages.items():
        set_contact(settings, accounts[role].name, email=f"{role}@school.example", language=language)
    return settings, accounts


def _alerts(settings: Settings, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAT_HOME": str(settings.home), "LAT_SMTP_HOST": "127.0.0.1", "LAT_SMTP_PORT": str(port), "LAT_SMTP_FROM": "hub@lat.example"}
    return subprocess.run([LAT, "alerts", "--today", TODAY, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def _scope(settings: Settings, role: str, account: Account) -> set[str]:
    """The schools the account may see, from the registry marts (not through the code under test)."""
    current = settings.home / "marts" / "current"
    schools = pl.read_parquet(current / "registry_schools.parquet")
    if role == "hub_coordinator":
        hub = schools.filter(pl.col("school") == account.in_scope)["hub"].item()
        return set(schools.filter(pl.col("hub") == hub)["school"].to_list())
    mentoring = pl.read_parquet(current / "registry_mentoring.parquet")
    mentor = mentoring.filter(pl.col("mentee_school") == account.in_scope)["mentor"][0]
    return set(mentoring.filter(pl.col("mentor") == mentor)["mentee_school"].to_list())


def _stalled(settings: Settings, scope: set[str]) -> set[str]:
    progress = pl.read_parquet(settings.home / "marts" / "current" / "mentoring_progress.parquet")
    latest = progress.filter(pl.col("as_of") == pl.col("as_of").max())
    return set(latest.filter(pl.col("stalled") & pl.col("school").is_in(sorted(scope)))["school"].to_list())


def test_alerts_reach_mentors_and_coordinators_about_their_own_schools_once(home: tuple[Settings, dict[str, Account]], smtp: tuple[Inbox, int]) -> None:
    settings, accounts = home
    inbox, port = smtp
    done = _alerts(settings, port)
    assert done.returncode == 0, done.stderr
    by_recipient: dict[str, list[EmailMessage]] = {}
    for mail in inbox.messages:
        by_recipient.setdefault(str(mail["To"]), []).append(mail)
    assert set(by_recipient) == {"mentor@school.example", "hub_coordinator@school.example"}  # heads and researchers get none
    registry = pl.read_parquet(settings.home / "marts" / "current" / "registry_schools.parquet")
    names = dict(zip(registry["school"].to_list(), registry["school_name"].to_list(), strict=True))
    for role in ("mentor", "hub_coordinator"):
        scope = _scope(settings, role, accounts[role])
        mails = by_recipient[f"{role}@school.example"]
        text = "\n".join(f"{m['Subject']}\n{m.get_content()}" for m in mails)
        linked = set(re.findall(r"school=([\w-]+)", text))
        assert linked <= scope, f"{role} was told about {linked - scope}"
        named = {school for school, name in names.items() if re.search(re.escape(name) + r"(?!\d)", text)}
        assert named <= scope, f"{role} was told about {named - scope}"
        assert set(re.findall(r"/school\?school=([\w-]+)", text)) == _stalled(settings, scope)  # one alert per stalled school
        digests = [m for m in mails if ("week" in str(m["Subject"]) or "tydzień" in str(m["Subject"]))]
        assert len(digests) == 1 and "2026-W25" in str(digests[0]["Subject"])
        assert str(mails[0]["From"]) == "hub@lat.example"
    assert all("tydzień" in str(m["Subject"]) or "utknął" in str(m["Subject"]) for m in by_recipient["mentor@school.example"])  # Polish
    first = len(inbox.messages)
    again = _alerts(settings, port)
    assert again.returncode == 0 and "Sent 0" in again.stdout
    assert len(inbox.messages) == first  # nothing twice


def test_dry_run_prints_and_sends_nothing(home: tuple[Settings, dict[str, Account]], smtp: tuple[Inbox, int]) -> None:
    settings, _ = home
    inbox, port = smtp
    dry = _alerts(settings, port, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "To: mentor@school.example" in dry.stdout and "would be sent" in dry.stdout
    assert inbox.messages == [] and not (settings.home / "alerts" / "sent.json").exists()
    assert _alerts(settings, port).returncode == 0 and inbox.messages  # the dry run remembered nothing


def test_alerts_turned_off_and_a_missing_server_are_clear(home: tuple[Settings, dict[str, Account]], smtp: tuple[Inbox, int]) -> None:
    settings, accounts = home
    env = {**os.environ, "LAT_HOME": str(settings.home)}
    off = subprocess.run([LAT, "users", "alerts", accounts["mentor"].name, "off"], env=env, capture_output=True, text=True, timeout=60)
    assert off.returncode == 0, off.stderr
    inbox, port = smtp
    assert _alerts(settings, port).returncode == 0
    assert {str(m["To"]) for m in inbox.messages} == {"hub_coordinator@school.example"}
    set_contact(settings, accounts["mentor"].name, email="mentor@school.example", language="pl")
    no_server = subprocess.run([LAT, "alerts", "--today", TODAY], env=env, capture_output=True, text=True, timeout=120)
    assert no_server.returncode == 1 and "LAT_SMTP_HOST" in no_server.stderr and "Traceback" not in no_server.stderr
    bad = subprocess.run([LAT, "users", "contact", accounts["mentor"].name, "--email", "not-an-address"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "not an e-mail address" in bad.stderr
