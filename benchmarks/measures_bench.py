"""Time the project performance measures (voting/measures.py) on the shared Pabulib files.

For each file and rule: the tally alone, then every project's measures, in seconds (wall
clock, and CPU time of this process, steadier on a shared machine), with how many losers'
extra supporters the bounded Equal Shares search left open.

    python benchmarks/measures_bench.py [--files Warszawa_2026,Wesola] [--rules mes,phragmen]
                                        [--reruns 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting_common import pabulib_dir

from voting import read_pb, rules_for, tally
from voting.measures import MEASURED_RULES, project_measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", default="", help="comma-separated parts of file names")
    parser.add_argument("--rules", default=",".join(MEASURED_RULES))
    parser.add_argument("--reruns", type=int, default=200)
    args = parser.parse_args()
    wanted = [w for w in args.files.split(",") if w]
    rules = args.rules.split(",")
    print(f"{'file':<48} {'rule':<16} {'tally s':>8} {'measures s':>10} {'cpu s':>8} {'open':>5}")
    for path in sorted(pabulib_dir().glob("*.pb")):
        if wanted and not any(w in path.name for w in wanted):
            continue
        election = read_pb(path)
        for rule in rules:
            if rule not in rules_for(election.profile.vote_type):
                continue
            start = time.perf_counter()
            outcome = tally(election, rule=rule)
            ran = time.perf_counter() - start
            start, cpu = time.perf_counter(), time.process_time()
            measures = project_measures(
                election.instance, election.profile, rule, outcome=outcome, reruns=args.reruns
            )
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            open_ = sum(m.supporters_searched is not None for m in measures.projects)
            print(
                f"{path.stem[:48]:<48} {rule:<16} {ran:>8.3f} {took:>10.2f} {cpu:>8.2f} {open_:>5}"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
