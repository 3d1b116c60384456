"""The demo: turn an empty LAT_HOME into a working toolbox with the pilot sample, in one go.

Steps: sample data (``data/sample`` of the repository, else generated into
``LAT_HOME/sample``) -> registry import -> ingest -> compute -> one account per role with a
random password, written to ``LAT_HOME/demo-logins.txt`` (mode 0600) and shown once; a
research-export key in ``LAT_HOME/keys/export.key`` (0600) when ``LAT_EXPORT_KEY`` is unset.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lat.config import Settings
from lat.errors import LatError
from lat.keyfiles import write_private

LOGINS_FILE = "demo-logins.txt"
REPO_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

Say = Callable[[str], None]
Login = tuple[str, str, str, str]  # user, role, scope, password


@dataclass(frozen=True)
class DemoState:
    """What LAT_HOME holds: nothing yet, a prepared toolbox, or data without published marts."""

    empty: bool
    ready: bool


def state(settings: Settings) -> DemoState:
    """Whether LAT_HOME is empty (hidden files aside) and whether marts are published."""
    home = settings.home
    empty = not home.exists() or not any(p for p in home.iterdir() if not p.name.startswith("."))
    ready = (settings.marts_dir / "current").exists()
    return DemoState(empty, ready)


def sample_source(settings: Settings, say: Say) -> Path:
    """The sample folder to load: the repository's ``data/sample``, else a freshly generated one."""
    for candidate in (Path.cwd() / "data" / "sample", REPO_SAMPLE):
        if (candidate / "registry").is_dir() and (candidate / "statements").is_dir():
            say(f"using the sample in {candidate}")
            return candidate
    from lat.sample.generate import generate

    target = settings.home / "sample"
    say(f"no data/sample here: generating the pilot sample into {target}")
    generate(target, "pilot", 1)
    return target


def prepare(settings: Settings, say: Say) -> list[Login]:
    """Load the sample into an empty LAT_HOME and create the demo accounts; returns the logins."""
    from lat.ingest.engine import ingest_paths
    from lat.registry import organisation as reg
    from lat.store import database as store
    from pipelines.core import compute

    settings.home.mkdir(parents=True, exist_ok=True)
    steps = 5
    started = time.perf_counter()
    say(f"[1/{steps}] sample data")
    sample = sample_source(settings, say)
    say(f"[2/{steps}] registry import ({sample / 'registry'})")
    loaded = reg.load(sample / "registry")
    with store.session(settings) as con:
        reg.write(con, loaded)
    say(f"[3/{steps}] ingest ({sample / 'statements'})")
    summary = ingest_paths([sample / "statements"], settings, progress=True)
    say("      " + ", ".join(f"{k} {v}" for k, v in summary.as_dict().items()))
    say(f"[4/{steps}] compute the indicators")
    result = compute.run(settings, full=True)
    say(f"      {len(result.rows)} marts published in {result.seconds:.1f} s")
    say(f"[5/{steps}] demo accounts")
    logins = create_logins(settings)
    if (key := demo_export_key(settings)) is not None:
        say(f"      research export key generated: {key} (set LAT_EXPORT_KEY to choose your own)")
    say(f"ready in {time.perf_counter() - started:.0f} s")
    return logins


def demo_export_key(settings: Settings) -> Path | None:
    """A research-export key in LAT_HOME/keys/export.key (0600) when none is configured, so the
    demo's researcher page can export; None when LAT_EXPORT_KEY or the file is there already."""
    from lat.export.anonymise import create_key_file

    return create_key_file(settings)


def create_logins(settings: Settings) -> list[Login]:
    """One account per role (fresh random passwords), saved to LAT_HOME/demo-logins.txt (0600)."""
    from lat.access.users import create_demo_accounts

    logins = create_demo_accounts(settings)
    write_logins(settings, logins)
    return logins


def write_logins(settings: Settings, logins: list[Login]) -> Path:
    """Save the demo logins to LAT_HOME/demo-logins.txt, readable by the owner only; returns the path."""
    path = settings.home / LOGINS_FILE
    # created 0600 from the start: the passwords are never readable by others, not even briefly
    write_private(path, (format_logins(logins) + "\n").encode("utf-8"))
    return path


def format_logins(logins: list[Login]) -> str:
    """The logins as an aligned table: user, role, scope, password."""
    rows = [("user", "role", "scope", "password"), *logins]
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def check_servable(settings: Settings) -> None:
    """Refuse a LAT_HOME that holds data but no published marts (the demo never overwrites data)."""
    current = state(settings)
    if not current.empty and not current.ready:
        raise LatError(f"{settings.home} holds data but no published marts: run 'lat compute' there, or point LAT_HOME at an empty folder for a fresh demo.")
