"""Dashboard callback latency on national-scale marts: p50/p95 per callback, target p95 < 250 ms.

National marts come from ``LAT_BENCH_NATIONAL_HOME`` (a LAT_HOME computed from
``lat sample --scale national``) when set. Otherwise the pilot sample (data/sample) is
loaded and computed into bench/out, and its marts are replicated to national size
(5 countries x 10 hubs x 100 schools: every school-level row copied with renamed schools
and hubs), which the report says. Callbacks run through the real Flask app (login, guard,
DataAccess, Dash serialisation) with its test client, signed in as each role (each looking
at a school and hub in its scope). Baseline, measured in the same run: reading the largest
mart (maturity_item) whole with polars.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / f"dashboard-{os.getpid()}"
TARGET_SCHOOLS = 5000
REPEATS = int(os.environ.get("LAT_BENCH_REPEATS", "15"))
PASSWORD = "bench-password-123"


def pilot_home() -> Path:
    home = OUT / "pilot"
    lat = str(Path(sys.executable).parent / "lat")
    env = {**os.environ, "LAT_HOME": str(home)}
    for args in (["registry", "import", "data/sample/registry"], ["ingest", "data/sample/statements"], ["compute"]):
        subprocess.run([lat, *args], check=True, env=env, cwd=REPO, capture_output=True)
    return home


def replicate(source: Path, target: Path) -> int:
    """Copy every mart, school-level ones (and registry schools/pairs) ``k`` times with new ids."""
    current = source / "marts" / "current"
    schools = pl.read_parquet(current / "registry_schools.parquet").height
    copies = max(1, round(TARGET_SCHOOLS / schools))
    out = target / "marts" / "v1"
    out.mkdir(parents=True)
    for path in current.glob("*.parquet"):
        frame = pl.read_parquet(path)
        ids = [c for c in ("school", "mentee_school", "mentor", "hub") if c in frame.columns]
        if ids and not path.stem.startswith(("maturity_hub", "registry_hubs", "registry_countries", "mentoring_outcome_summary")):
            frame = pl.concat([frame.with_columns(pl.col(c) + pl.lit(f"-r{k}") for c in ids) for k in range(copies)])
        elif path.stem in ("registry_hubs", "maturity_hub"):
            frame = pl.concat([frame.with_columns(pl.col("hub") + pl.lit(f"-r{k}")) for k in range(copies // 7 + 1)])
        frame.write_parquet(out / path.name)
    (target / "marts" / "current").symlink_to("v1")
    return copies


def timed(client: object, payload: dict[str, object]) -> float:
    started = time.perf_counter()
    answer = client.post("/_dash-update-component", json=payload)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, answer.data[:300]
    return elapsed


def payload(output: str, inputs: dict[str, object]) -> dict[str, object]:
    items = [{"id": k.split(".")[0], "property": k.split(".")[1], "value": v} for k, v in inputs.items()]
    target = output.split(".")
    return {"output": output, "outputs": {"id": target[0], "property": target[1]}, "inputs": items, "changedPropIds": list(inputs), "state": []}


def cases(school: str, hub: str, round_: str) -> dict[str, tuple[str, dict[str, object]]]:
    """Every page's callbacks, name -> (output, inputs), for one school, hub and round."""
    return {
        "school": ("school-body.children", {"school-select.value": school, "school-round.value": round_, "school-area.value": "", "lang.value": "en"}),
        "mentor": ("mentor-body.children", {"mentor-hub.value": "", "mentor-level.value": "", "lang.value": "en"}),
        "hub": ("hub-body.children", {"hub-select.value": hub, "hub-round.value": round_, "hub-level.value": "", "hub-area.value": "", "lang.value": "en"}),
        "compare": (
            "compare-body.children",
            {"compare-round.value": round_, "compare-area.value": "A", "compare-group.value": "teacher", "compare-country.value": "", "lang.value": "en"},
        ),
        "research": ("research-body.children", {"research-round.value": "", "research-area.value": "", "lang.value": "en"}),
        # the over-time sections (activity trends, mentoring timeline) and the export page
        "school-week": (
            "school-time.children",
            {
                "school-select.value": school,
                "school-period-start.value": None,
                "school-period-end.value": None,
                "school-grain.value": "week",
                "lang.value": "en",
            },
        ),
        "school-month": (
            "school-time.children",
            {
                "school-select.value": school,
                "school-period-start.value": "2025-10-01",
                "school-period-end.value": "2026-03-31",
                "school-grain.value": "month",
                "lang.value": "en",
            },
        ),
        "hub-week": (
            "hub-time.children",
            {
                "hub-select.value": hub,
                "hub-level.value": "",
                "hub-period-start.value": None,
                "hub-period-end.value": None,
                "hub-grain.value": "week",
                "lang.value": "en",
            },
        ),
        "hub-month": (
            "hub-time.children",
            {
                "hub-select.value": hub,
                "hub-level.value": "",
                "hub-period-start.value": None,
                "hub-period-end.value": None,
                "hub-grain.value": "month",
                "lang.value": "en",
            },
        ),
        "export": ("export-body.children", {"export-k.value": 5, "export-level.value": "schools", "export-format.value": "csv", "lang.value": "en"}),
    }


def main() -> None:
    national = os.environ.get("LAT_BENCH_NATIONAL_HOME")
    OUT.mkdir(parents=True, exist_ok=True)
    if national:
        home, note = Path(national), f"national store at {national}"
    else:
        print("national store not available (set LAT_BENCH_NATIONAL_HOME): timing pilot marts replicated to national size", flush=True)
        home = OUT / "national"
        copies = replicate(pilot_home(), home)
        note = f"pilot marts x{copies}"
    os.environ["LAT_HOME"] = str(home)
    from dashboards.app import create_app
    from lat.access.users import add_user, get_user, remove_user
    from lat.config import get_settings

    settings = get_settings()
    current = home / "marts" / "current"
    schools = pl.read_parquet(current / "registry_schools.parquet")
    hub = schools["hub"][0]
    school = schools.filter(pl.col("hub") == hub)["school"][0]
    hub_schools = schools.filter(pl.col("hub") == hub)["school"]
    pairs = pl.read_parquet(current / "registry_mentoring.parquet").filter(pl.col("mentee_school").is_in(hub_schools.implode()))
    mentor, mentee = pairs["mentor"][0], pairs["mentee_school"][0]
    rounds = sorted(pl.read_parquet(current / "maturity_area.parquet")["round"].unique().to_list())
    # every role, each looking at a school and hub in its own scope (the researcher: refused or empty)
    users = (
        ("bench-admin", "admin", {}, school),
        ("bench-coord", "hub_coordinator", {"hubs": [hub]}, school),
        ("bench-mentor", "mentor", {"persons": [mentor]}, mentee),
        ("bench-head", "school_head", {"schools": [school]}, school),
        ("bench-research", "researcher", {}, school),
    )
    for name, role, scope, _ in users:
        if get_user(settings, name) is not None:  # a home benchmarked before: same users, this run's scope
            remove_user(settings, name)
        add_user(settings, name, role, password=PASSWORD, check_registry=False, **scope)  # type: ignore[arg-type]
    print(f"marts: {note}; {schools.height} schools, maturity_item {pl.scan_parquet(current / 'maturity_item.parquet').select(pl.len()).collect().item()} rows")

    started = time.perf_counter()
    for _ in range(REPEATS):
        pl.read_parquet(current / "maturity_item.parquet")
    baseline = (time.perf_counter() - started) / REPEATS

    app = create_app(settings)
    worst: dict[str, tuple[float, str]] = {}
    print(f"baseline: read maturity_item whole {baseline * 1000:.1f} ms")
    print(f"{'user':<15} {'callback':<12} {'p50 ms':>8} {'p95 ms':>8} {'x baseline':>10}")
    for user, role, _, chosen in users:
        client = app.server.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"csrf_token": token, "username": user, "password": PASSWORD, "next": "/"})
        for name, (output, inputs) in cases(chosen, hub, rounds[-1]).items():
            timed(client, payload(output, inputs))  # warm-up (imports, caches)
            times = sorted(timed(client, payload(output, inputs)) for _ in range(REPEATS))
            p50, p95 = statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]
            worst[role] = max(worst.get(role, (0.0, "")), (p95, name))
            print(f"{user:<15} {name:<12} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} {p95 / baseline:>10.1f}", flush=True)
    print("worst p95 per role: " + ", ".join(f"{role} {p95 * 1000:.0f} ms ({name})" for role, (p95, name) in worst.items()))
    overall = max(p95 for p95, _ in worst.values())
    print(f"worst p95 {overall * 1000:.0f} ms: {'within' if overall < 0.25 else 'OVER'} the 250 ms target")
    if not os.environ.get("LAT_BENCH_KEEP"):
        shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
