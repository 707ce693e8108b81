"""Benchmark of the registry loaders: a synthetic set, loaded end to end from CSV.

    .venv/bin/python -m bench.loaders --projects 100000 --activities 1000000

generates the set with ``policykg generate`` (into ``var/bench/registries``,
kept for the next run and for the endpoint and API benchmarks), then times
``policykg build --clean --no-dumps --no-answers`` on it in a fresh process (the dumps and the stored answers are
publication work of their own, timed by ``bench.dumps``): reading, detection,
validation of every cell and reference, N-Triples generation, bulk load and
publication. It reports triples, seconds, triples per second and the peak
memory of the build process, runs ``build`` again to show that an unchanged
set is not reloaded, and writes the figures to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def policykg(*args: str, env: dict) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run the command; (result, seconds, peak resident memory of that process in MiB)."""
    command = [str(Path(sys.executable).parent / "policykg"), *args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)  # the usage of this child alone
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, child.returncode, out.read(), err.read()), seconds, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "registries")
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench" / "store")
    parser.add_argument("--regenerate", action="store_true", help="write the set even if it is there")
    options = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    if "POLICYKG_SHARED_DIR" in os.environ:
        env["POLICYKG_SHARED_DIR"] = os.environ["POLICYKG_SHARED_DIR"]
    env.update({"POLICYKG_REGISTRIES": str(options.out), "POLICYKG_STORE": str(options.store)})

    stamp = options.out / ".generated"
    wanted = f"{options.projects} {options.activities} {options.seed}"
    if options.regenerate or not stamp.is_file() or stamp.read_text() != wanted:
        done, seconds, _ = policykg("generate", "--projects", str(options.projects), "--activities",
                                    str(options.activities), "--seed", str(options.seed), "--out", str(options.out), env=env)
        if done.returncode:
            sys.exit(done.stderr)
        stamp.write_text(wanted)
        print(f"generated {options.out} in {seconds:.1f} s")
    size = sum(p.stat().st_size for p in options.out.glob("*.csv"))

    done, seconds, peak = policykg("build", "--clean", "--no-dumps", "--no-answers", env=env)
    if done.returncode:
        sys.exit(done.stderr[-4000:])
    total = int(re.search(r"published generation \S+: (\d+) triples", done.stdout).group(1))
    registries = {m.group(1): int(m.group(2)) for m in re.finditer(r"loaded (\S+): (\d+) triples", done.stdout)}
    again, again_seconds, _ = policykg("build", "--no-dumps", "--no-answers", env=env)
    result = {
        "command": f"POLICYKG_REGISTRIES={options.out} policykg build --clean --no-dumps --no-answers",
        "projects": options.projects,
        "activities": options.activities,
        "csv_bytes": size,
        "triples": total,
        "triples_by_graph": registries,
        "seconds": round(seconds, 1),
        "triples_per_second": round(total / seconds),
        "peak_memory_mib": peak,
        "unchanged_rebuild_seconds": round(again_seconds, 1),
        "unchanged_rebuild_says": again.stdout.strip().splitlines()[-1] if again.stdout.strip() else again.stderr[-200:],
        "store_bytes": sum(p.stat().st_size for p in options.store.rglob("*") if p.is_file()),
    }
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"loaders-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
