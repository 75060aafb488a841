"""Time Linli's tally engine on the shared Pabulib files, and pabutools when it is installed.

For each file and every rule that takes its ballots (the cities' variants too): read time,
tally time (wall and CPU, medians of --repeat runs: the CPU time is steadier on a shared
machine), peak memory of the tally (tracemalloc, on another run, so tracing does not slow
the timed ones), and pabutools' time with the ratio to Linli's wall time.
pabutools runs in a child process killed after --timeout seconds; then the time recorded in
reference-outcomes.json (same kind of machine) is shown with an "r" and used for the ratio.

    python benchmarks/voting_bench.py [DIRECTORY] [--files Warszawa,Wroclaw]
                                      [--rules mes,mes+greedy] [--repeat 5] [--timeout 60]
                                      [--no-pabutools] [--no-memory]

DIRECTORY (default: the shared Pabulib folder) is searched for *.pb files, recursively. At the
end it prints the total read and tally time over every file, the slowest file and rule, and
how many tallies took 2 s or more. pabutools' recorded times exist only for the shared files.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting_common import (
    call_in_child,
    pabulib_dir,
    pabutools_outcome,
    rule_keys,
    shared_reference,
)

from voting import RULES, UnsupportedRuleError, read_pb, tally


def _pabutools_seconds(path: str, rule: str) -> float:
    start = time.perf_counter()
    pabutools_outcome(path, rule)
    return time.perf_counter() - start


def _pabutools_time(path: str, rule: str, timeout: float) -> float | None:
    """pabutools' wall time, its own parse of the file included; None after the timeout."""
    status, seconds = call_in_child(_pabutools_seconds, (path, rule), timeout)
    return float(seconds) if status == "ok" else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, help="folder of .pb files")
    parser.add_argument("--files", default="", help="comma-separated parts of file names")
    parser.add_argument("--rules", default="", help="comma-separated rule names")
    parser.add_argument("--repeat", type=int, default=5, help="timed tallies per file and rule")
    parser.add_argument("--timeout", type=float, default=60.0, help="per pabutools call")
    parser.add_argument("--no-pabutools", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    with_pabutools = not args.no_pabutools and importlib.util.find_spec("pabutools") is not None
    reference = shared_reference() if args.directory is None else {}
    wanted_files = [f for f in args.files.split(",") if f]
    wanted_rules = [r for r in args.rules.split(",") if r]
    folder = args.directory or pabulib_dir()
    paths = sorted(folder.rglob("*.pb"), key=lambda p: p.stat().st_size)
    total_read = total_tally = 0.0
    slow: list[tuple[float, str, str]] = []
    print(
        f"{'file':44} {'rule':20} {'read s':>7} {'tally s':>8} {'cpu s':>7} {'peak MiB':>8} "
        f"{'pabutools s':>11} {'ratio':>7}"
    )
    for path in paths:
        if wanted_files and not any(w in path.name for w in wanted_files):
            continue
        start = time.perf_counter()
        election = read_pb(path)
        read_s = time.perf_counter() - start
        total_read += read_s
        entry = reference.get(path.name, {})
        keys = rule_keys(reference, election.profile.file_vote_type) if entry else {}
        vote_type = election.profile.vote_type
        for rule in (name for name, entry in RULES.items() if vote_type in entry.vote_types):
            if wanted_rules and rule not in wanted_rules:
                continue
            walls, cpus = [], []
            try:
                for _ in range(max(1, args.repeat)):
                    start, cpu = time.perf_counter(), time.process_time()
                    tally(election, rule=rule)
                    walls.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - cpu)
            except UnsupportedRuleError as error:  # a variant whose parameters the file lacks
                print(f"{path.name[:44]:44} {rule:20} not run: {error}")
                continue
            tally_s, cpu_s = statistics.median(walls), statistics.median(cpus)
            total_tally += tally_s
            slow.append((tally_s, path.name, rule))
            peak = "-"
            if not args.no_memory:
                tracemalloc.start()
                tally(election, rule=rule)
                peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f}"
                tracemalloc.stop()
            theirs: float | None = None
            mark = ""
            if with_pabutools:
                theirs = _pabutools_time(str(path), rule, args.timeout)
            if theirs is None and rule in keys:
                recorded = entry.get(keys[rule], {}).get("wall_time_s")
                if recorded is not None:
                    theirs, mark = float(recorded), "r"
            ratio = f"{theirs / tally_s:.0f}x" if theirs else "-"
            shown = f"{theirs:.2f}{mark}" if theirs else "-"
            print(
                f"{path.name[:44]:44} {rule:20} {read_s:7.3f} {tally_s:8.3f} {cpu_s:7.3f} "
                f"{peak:>8} {shown:>11} {ratio:>7}",
                flush=True,
            )
    if slow:
        worst = max(slow)
        print(
            f"total over {len({n for _, n, _ in slow})} files in {folder}: "
            f"read {total_read:.2f} s, "
            f"tally {total_tally:.2f} s (medians), all {total_read + total_tally:.2f} s; "
            f"slowest {worst[1]} {worst[2]} {worst[0]:.2f} s; "
            f"{sum(1 for t, _, _ in slow if t >= 2.0)} tallies of 2 s or more"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
