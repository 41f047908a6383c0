"""Wall time of single steps, each in a fresh process, as a newcomer runs them.

    python bench/startup_bench.py [--repeat 3] [--json] [--only version help extract doctor demo]

Each step runs `communique ...` (the console script of the active environment) as a subprocess, so
every run pays the interpreter start, the imports and the model loading it needs; the OS file cache
is warm after the first run, as it is for anyone who runs a second command. The steps:

* `version`: `communique --version`;
* `help`: `communique --help`;
* `extract`: `communique extract PARAGRAPH.txt --published 2022-04-05`, one paragraph (written for
  this bench, below) printed as tables;
* `doctor`: `communique doctor --db FILE` on a store `demo` made beforehand (untimed);
* `demo`: `communique demo --db FILE`, a new database each run.

The table gives the median and the fastest of `--repeat` runs per step, and the exit status (a step
that fails is reported, not timed as if it had worked). The figures depend on the machine and its
load: run it on a quiet machine and report the load beside them (`uptime`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPH = (
    "Foreign ministers of Brazil and South Africa met in Pretoria on Tuesday to discuss trade "
    "between the two countries. Brazilian Foreign Minister Mauro Vieira said the talks had been "
    "constructive, and South Africa's foreign minister called for a new round of negotiations "
    "before the end of the year.\n"
)

STEPS = ("version", "help", "extract", "doctor", "demo")


def communique_command() -> list[str]:
    """The `communique` script beside this interpreter, else `python -m communique.cli`-style call."""
    script = Path(sys.executable).with_name("communique")
    if script.exists():
        return [str(script)]
    found = shutil.which("communique")
    if found:
        return [found]
    return [sys.executable, "-c", "from communique.cli import main; main()"]


def run_once(argv: list[str], env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        print(f"  exit {done.returncode}: {' '.join(argv[1:])}: {tail[0]}", file=sys.stderr)
    return elapsed, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()

    base = communique_command()
    work = Path(tempfile.mkdtemp(prefix="communique-startup-"))
    # a home of its own: the bench writes nothing into the user's data folder
    env = {**os.environ, "HOME": str(work / "home"), "XDG_DATA_HOME": str(work / "home" / "data")}
    env.pop("COMMUNIQUE_DB", None)
    paragraph = work / "paragraph.txt"
    paragraph.write_text(PARAGRAPH, encoding="utf-8")
    doctor_db = work / "doctor.db"
    results: dict[str, dict] = {}
    try:
        if "doctor" in args.only:
            run_once([*base, "demo", "--db", str(doctor_db)], env)  # the store doctor checks (untimed)
        for step in args.only:
            times, codes = [], []
            for i in range(args.repeat):
                argv = {
                    "version": [*base, "--version"],
                    "help": [*base, "--help"],
                    "extract": [*base, "extract", str(paragraph), "--published", "2022-04-05"],
                    "doctor": [*base, "doctor", "--db", str(doctor_db)],
                    "demo": [*base, "demo", "--db", str(work / f"demo-{i}.db")],
                }[step]
                elapsed, code = run_once(argv, env)
                times.append(elapsed)
                codes.append(code)
            results[step] = {
                "median_s": round(statistics.median(times), 2),
                "min_s": round(min(times), 2),
                "runs": len(times),
                "exit_codes": sorted(set(codes)),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"steps": results, "load_1min": load, "cpus": os.cpu_count()}, indent=2))
        return 0
    print(f"{'step':<9} {'median s':>9} {'min s':>7} {'runs':>5}  exit")
    for step, r in results.items():
        print(f"{step:<9} {r['median_s']:>9.2f} {r['min_s']:>7.2f} {r['runs']:>5}  {','.join(map(str, r['exit_codes']))}")
    print(f"load average (1 min) {load:.2f} on {os.cpu_count()} CPUs" if load is not None else "")
    return 0 if all(r["exit_codes"] == [0] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
