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

In the same run it dumps the built store's quads to N-Quads and times
``oxigraph load`` of that file into a fresh directory, then ``oxigraph
optimize`` (the build compacts what it loads, so the comparison includes the
compaction on both sides), with the ``oxigraph`` command line of the same
version as pyoxigraph (installed beside this Python). Both rates count the
same quads: those of the built store. ``--no-oxigraph`` leaves this out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent


def policykg(*args: str, env: dict) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run the command; (result, seconds, peak resident memory of that process in MiB).
    Its CPU seconds (with its children's) are left in ``CPU["policykg"]``."""
    command = [str(Path(sys.executable).parent / "policykg"), *args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)  # the usage of this child alone
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        CPU["policykg"] = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, child.returncode, out.read(), err.read()), seconds, usage.ru_maxrss // 1024


#: CPU seconds (user and system) of the last command run, by what it was.
CPU: dict[str, float] = {}


def timed(command: list[str]) -> tuple[float, float]:
    """Run ``command`` (failing loudly); its wall-clock and CPU seconds."""
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{err.read()[-4000:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def against_oxigraph(store: Path, scratch: Path) -> dict:
    """The published generation of ``store`` dumped to N-Quads, then ``oxigraph load``
    and ``oxigraph optimize`` of it timed into a fresh directory."""
    oxigraph = Path(sys.executable).parent / "oxigraph"
    if not oxigraph.is_file():
        sys.exit(f"no oxigraph command line beside {sys.executable}: run make install")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    dump, fresh = scratch / "store.nq", scratch / "oxigraph"
    published = ox.Store.read_only(str(store / "current"))
    quads = len(published)
    published.dump(str(dump), ox.RdfFormat.N_QUADS)
    del published
    size = dump.stat().st_size
    load, load_cpu = timed([str(oxigraph), "load", "--location", str(fresh), "--file", str(dump)])
    optimize, optimize_cpu = timed([str(oxigraph), "optimize", "--location", str(fresh)])
    version = subprocess.run([str(oxigraph), "--version"], capture_output=True, text=True).stdout.strip()
    shutil.rmtree(scratch, ignore_errors=True)
    return {"quads": quads, "nquads_bytes": size, "version": version,
            "command": "oxigraph load --location FRESH --file STORE.nq && oxigraph optimize --location FRESH",
            "load_seconds": round(load, 1), "optimize_seconds": round(optimize, 1),
            "seconds": round(load + optimize, 1), "cpu_seconds": round(load_cpu + optimize_cpu, 1),
            "load_triples_per_second": round(quads / load),
            "triples_per_second": round(quads / (load + optimize))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "registries")
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench" / "store")
    parser.add_argument("--regenerate", action="store_true", help="write the set even if it is there")
    parser.add_argument("--no-oxigraph", action="store_true", help="do not time oxigraph load on the same quads")
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
    cpu = CPU["policykg"]
    total = int(re.search(r"published generation \S+: (\d+) triples", done.stdout).group(1))
    registries = {m.group(1): int(m.group(2)) for m in re.finditer(r"loaded (\S+): (\d+) triples", done.stdout)}
    again, again_seconds, _ = policykg("build", "--no-dumps", "--no-answers", env=env)
    theirs = None if options.no_oxigraph else against_oxigraph(options.store, options.store.parent / "oxigraph-load")
    result = {
        "command": f"POLICYKG_REGISTRIES={options.out} policykg build --clean --no-dumps --no-answers",
        "projects": options.projects,
        "activities": options.activities,
        "csv_bytes": size,
        "triples": total,
        "triples_by_graph": registries,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "triples_per_second": round(total / seconds),
        "peak_memory_mib": peak,
        "unchanged_rebuild_seconds": round(again_seconds, 1),
        "unchanged_rebuild_says": again.stdout.strip().splitlines()[-1] if again.stdout.strip() else again.stderr[-200:],
        "store_bytes": sum(p.stat().st_size for p in options.store.rglob("*") if p.is_file()),
    }
    if theirs is not None:
        quads = theirs["quads"]
        result["store_quads"] = quads
        result["store_quads_per_second"] = round(quads / seconds)
        result["oxigraph"] = theirs
        result["ratio_to_oxigraph_load_and_optimize"] = round(theirs["seconds"] / seconds, 2)
        result["ratio_to_oxigraph_load_alone"] = round(theirs["load_seconds"] / seconds, 2)
        result["cpu_ratio_to_oxigraph_load_and_optimize"] = round(theirs["cpu_seconds"] / cpu, 2)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"loaders-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if theirs is not None:
        print(f"policykg build: {result['store_quads_per_second']:,} quads/s; oxigraph load + optimize: "
              f"{theirs['triples_per_second']:,}/s (load alone {theirs['load_triples_per_second']:,}/s); "
              f"ratio {result['ratio_to_oxigraph_load_and_optimize']} "
              f"(against load alone {result['ratio_to_oxigraph_load_alone']}; "
              f"in CPU seconds {result['cpu_ratio_to_oxigraph_load_and_optimize']})")


if __name__ == "__main__":
    main()
