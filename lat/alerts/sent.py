"""Which alerts went out: ``LAT_HOME/alerts/sent.json``, {user: [alert keys]}, so that each
alert is sent once. Written after each delivered e-mail (atomically), so a run that fails
half-way sends only the rest next time."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lat.config import Settings


def path(settings: Settings) -> Path:
    """LAT_HOME/alerts/sent.json."""
    return settings.home / "alerts" / "sent.json"


def load(settings: Settings) -> dict[str, set[str]]:
    """The keys sent so far, per user (empty when nothing was sent yet)."""
    file = path(settings)
    if not file.exists():
        return {}
    return {user: set(keys) for user, keys in json.loads(file.read_text(encoding="utf-8")).items()}


def save(settings: Settings, sent: dict[str, set[str]]) -> None:
    """Replace the file with ``sent`` (write to a temporary file, then rename)."""
    file = path(settings)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps({user: sorted(keys) for user, keys in sorted(sent.items())}, indent=1), encoding="utf-8")
    os.replace(tmp, file)
