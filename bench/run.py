"""`make bench`: one table of what the site costs, every figure measured in this run on this machine.

Run from the project root with `make bench` or `.venv/bin/python -m bench.run`. For SQLite, then PostgreSQL (a
throwaway cluster from scripts/with-postgres.sh; skipped when PostgreSQL isn't installed), bench/scale.py measures at
1x and 100x load data: requests per second on gunicorn with 2 workers (wrk) and queries per request of /healthz, a
lesson page, the dashboard, the practice log, the review queue and the verification API; the home page of a stock
`wagtail start` site served beside ours (bench/stock.py) and the ratios of our pages to it; the eligibility check of
every trainee; `seed_load` itself; and one certificate render beside a one-line WeasyPrint document. Prints the table
in Markdown with a line about the machine, writes it to var/bench/latest.md (the raw figures to
var/bench/latest.json), and ends with the time the whole run took. Progress goes to stderr.

Knobs for quick runs (environment variables): BENCH_DURATION (seconds per URL, default 5), BENCH_WARMUP (default 1),
BENCH_SCALES (default "1,100"), BENCH_DATABASES (default "sqlite,postgresql"), BENCH_RENDERS (default 5),
BENCH_CONNECTIONS (default 8).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.scale import ONE_BY_ONE_SAMPLE

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
NOT_INSTALLED = 3  # scripts/with-postgres.sh's exit status when PostgreSQL is missing
PAGES = [
    ("healthz", "`GET /healthz`"),
    ("lesson", "lesson page, signed in as a trainee"),
    ("dashboard", "`GET /dashboard/`, a trainee part way (100 entries)"),
    ("log", "`GET /practice/`, the same trainee's practice log"),
    ("review", "`GET /practice/review/`, a supervisor of 25 (46 batches waiting)"),
    ("verify", "`GET /api/v1/verify/{code}`"),
]
RATIOS = [  # (page, what it is compared with: "stock" or a page, label, target)
    ("lesson", "stock", "lesson page / stock Wagtail home", 1.0),
    ("dashboard", "stock", "dashboard / stock Wagtail home", 0.7),
    ("log", "stock", "practice log / stock Wagtail home", None),
    ("verify", "healthz", "`GET /api/v1/verify/{code}` / `GET /healthz`", 0.6),
]


def say(message: str) -> None:
    """Progress for whoever watches the run."""
    print(message, file=sys.stderr, flush=True)


def run_database(database: str, tmp: Path) -> dict | str:
    """Measure one database in its own process; its figures, or why there are none."""
    out = tmp / f"{database}.json"
    command = [sys.executable, "-m", "bench.scale", "--database", database, "--out", str(out)]
    if database == "postgresql":
        command = [str(ROOT / "scripts" / "with-postgres.sh"), *command]
    finished = subprocess.run(command, cwd=ROOT, stdout=sys.stderr, check=False)  # noqa: S603
    if finished.returncode == NOT_INSTALLED and database == "postgresql":
        return "not installed"
    if finished.returncode != 0 or not out.exists():
        return f"failed (exit status {finished.returncode}; see above)"
    return json.loads(out.read_text())


def machine(results: dict) -> str:
    """Date, processor, memory, system and versions, in one line."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown processor",
    )
    memory = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    ram = f"{int(memory[1]) / 1024 / 1024:.0f} GB RAM" if memory else "RAM unknown"
    system = re.search(r'PRETTY_NAME="([^"]+)"', _read("/etc/os-release"))
    os_name = f"{system[1] if system else platform.system()}, Linux {platform.release()}"
    versions = [f"Python {platform.python_version()}"]
    versions += [result["database"] for result in results.values() if isinstance(result, dict)]
    versions.append(_version([str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"], "gunicorn"))
    if shutil.which("wrk"):
        versions.append(_version(["wrk", "--version"], "wrk"))
    rendered = next((r["scales"][0]["render"] for r in results.values() if isinstance(r, dict) and r["scales"]), None)
    if rendered:
        versions.append(f"WeasyPrint {rendered['weasyprint']}")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{when} · {cpu}, {os.cpu_count()} cores, {ram} · {os_name} · " + " · ".join(versions)


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(command: list[str], name: str) -> str:
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except OSError:
        return name
    found = re.search(r"(\d+\.\d+(?:\.\d+)?)", finished.stdout + finished.stderr)
    return f"{name} {found[1]}" if found else name


def _scale_label(scale: int) -> str:
    return f"{scale}x"


def table(results: dict) -> list[str]:
    """The Markdown table: a column per database and scale, a row per measurement."""
    columns = []  # (heading, scale figures or None, why missing)
    for database, result in results.items():
        if isinstance(result, str):
            columns.append((f"{NAMES[database]}", None, result))
            continue
        for figures in result["scales"]:
            columns.append((f"{NAMES[database]} {_scale_label(figures['scale'])}", figures, ""))
    lines = [
        "| measured | " + " | ".join(heading for heading, _, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]

    def row(label: str, cell) -> None:
        cells = [cell(figures) if figures else why for _, figures, why in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for key, label in PAGES:
        row(label, lambda figures, key=key: _page_cell(next(p for p in figures["pages"] if p["label"] == key)))
    row("stock `wagtail start` home page, taken in turn with the lesson page, dashboard and practice log", _stock_cell)
    for page, base, label, target in RATIOS:
        wanted = f" (target ≥ {target:.1f}x)" if target else ""
        row(f"{label}{wanted}", lambda figures, page=page, base=base: _ratio_cell(figures, page, base))
    row("eligibility of every trainee, set-based (`programme_eligibility_of_many`; target < 5 s)", _eligibility_cell)
    row(f"eligibility one trainee at a time (`programme_eligibility`, {ONE_BY_ONE_SAMPLE} of them)", _one_by_one_cell)
    row("`seed_load` to this scale", _seed_cell)
    row("certificate PDF (A4) render; one-line WeasyPrint document", _render_cell)
    return lines


def _page_cell(page: dict) -> str:
    if "unavailable" in page:
        return f"not measured ({page['unavailable']})"
    measured = page["load"]
    rate = measured["requests"] / measured["seconds"] if measured["seconds"] else 0
    failed = measured["non2xx"] + measured["socket_errors"]
    warning = f", {failed} failed" if failed else ""
    return f"{rate:,.0f} req/s · {_queries(page['queries'])}{warning}"


def _rate(measured: dict) -> float:
    return measured["requests"] / measured["seconds"] if measured["seconds"] else 0.0


def _stock_cell(figures: dict) -> str:
    turns = [page["stock"] for page in figures["pages"] if "stock" in page]
    if not turns:
        return "not measured"
    rates = [_rate(turn) for turn in turns]
    spread = f" ({min(rates):,.0f}–{max(rates):,.0f})" if len(rates) > 1 else ""
    return f"{sum(rates) / len(rates):,.0f} req/s{spread} · {_queries(figures['stock_queries'])}"


def _ratio_cell(figures: dict, key: str, base: str) -> str:
    page = next(p for p in figures["pages"] if p["label"] == key)
    if "load" not in page:
        return "not measured"
    if base == "stock":
        compared = page.get("stock")
    else:
        compared = next(p for p in figures["pages"] if p["label"] == base).get("load")
    if not compared or not _rate(compared):
        return "not measured"
    return f"{_rate(page['load']) / _rate(compared):.2f}x"


def _queries(count: float) -> str:
    return f"{count:.0f} quer{'y' if round(count) == 1 else 'ies'}"


def _eligibility_cell(figures: dict) -> str:
    check = figures["eligibility"]
    return f"{check['trainees']:,} in {check['seconds']:.2f} s, {_queries(check['queries'])} in all"


def _one_by_one_cell(figures: dict) -> str:
    check = figures["eligibility"]["one_by_one"]
    each = check["seconds"] * 1000 / check["trainees"] if check["trainees"] else 0
    queries = check["queries"] / check["trainees"] if check["trainees"] else 0
    same = "" if check["same"] else " (DIFFERS from the set-based check)"
    return f"{each:.1f} ms and {_queries(queries)} each{same}"


def _seed_cell(figures: dict) -> str:
    return f"{figures['seed_seconds']:.1f} s ({figures['trainees']:,} trainees, {figures['entries']:,} entries)"


def _render_cell(figures: dict) -> str:
    render = figures["render"]
    return f"{render['certificate_ms']:.0f} ms; {render['one_line_ms']:.0f} ms"


def report(results: dict, *, load_before: float) -> list[str]:
    """The header lines, the table and the notes under it."""
    measured = next((r for r in results.values() if isinstance(r, dict)), None)
    lines = [f"`make bench`, {machine(results)}", ""]
    if measured:
        lines += [
            f"gunicorn with 2 sync workers on 127.0.0.1, DEBUG off; load from {measured['client']} with "
            f"{measured['connections']} connections, {measured['warmup']:g} s warm-up then {measured['duration']:g} s "
            f"per URL. Queries: one request in-process after two warm-ups. 1x: 50 trainees and 5,000 practice "
            f"entries; 100x: 5,000 and 500,000 (`manage.py seed_load`); the same trainee and supervisor at both. "
            f"Certificate render: median of {measured['renders']}. Load average before the run: {load_before:.2f}.",
            "",
        ]
    lines += table(results)
    notes = []
    for database, result in results.items():
        if not isinstance(result, dict):
            continue
        for figures in result["scales"]:
            for page in figures["pages"]:
                if page.get("note"):
                    notes.append(f"{NAMES[database]} {figures['scale']}x, {page['path']}: {page['note']}")
    if notes:
        lines += ["", *[f"Note: {note}." for note in notes]]
    return lines + ["", test_suite_time()]


def test_suite_time() -> str:
    """The last `make test` on this machine, pass by pass, as scripts/pass-time.sh kept it (var/test-times/)."""
    passes = []
    for name in ("sqlite", "postgresql"):
        path = ROOT / "var" / "test-times" / f"{name}.json"
        if path.is_file():
            passes.append(json.loads(path.read_text()))
    if not passes:
        return "`make test`: no timed run on this machine yet (run `make test`; each pass keeps its time)."
    parts = [
        f"{NAMES[found['pass']]} pass {_duration(found['seconds'])}"
        + ("" if found["exit_status"] == 0 else f" (exit status {found['exit_status']})")
        + f", finished {found['finished']} at {found['commit']}"
        for found in passes
    ]
    total = sum(found["seconds"] for found in passes)
    return f"`make test` (last run, target under 15 min for both passes): {_duration(total)} in all; " + "; ".join(
        parts
    )


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s"


def main() -> None:
    """Measure every database, print the table and write it to var/bench/."""
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    results: dict[str, dict | str] = {}
    with tempfile.TemporaryDirectory(prefix="lms-bench-run-") as directory:
        for database in DATABASES:
            say(f"Measuring {NAMES[database]}…")
            results[database] = run_database(database, Path(directory))
    lines = report(results, load_before=load_before)
    elapsed = time.monotonic() - started
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.md").write_text("\n".join(lines) + "\n")
    (OUT / "latest.json").write_text(json.dumps({"results": results, "seconds": elapsed}, indent=2))
    print("\n".join(lines))
    parts = ", ".join(
        f"{NAMES[database]} {_duration(result['seconds'])}"
        for database, result in results.items()
        if isinstance(result, dict)
    )
    print(f"\nmake bench took {_duration(elapsed)} ({parts}); the table is also in var/bench/latest.md.")
    if any(isinstance(result, str) and result != "not installed" for result in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
