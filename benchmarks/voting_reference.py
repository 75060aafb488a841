"""Build tests/voting/fixtures/reference_outcomes.json: pabutools' outcome per file and rule.

With pabutools installed, each outcome is recomputed (one process per call, killed after
--timeout seconds) and checked against the shared reference-outcomes.json; calls that time
out, and rules pabutools has no satisfaction for, keep the shared value. Without pabutools,
the shared file is the only source. The script says which source each entry came from.

    python benchmarks/voting_reference.py [--timeout 60] [--no-pabutools]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting_common import (
    FIXTURE,
    call_in_child,
    pabulib_dir,
    pabutools_outcome,
    rule_keys,
    shared_reference,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-pabutools", action="store_true")
    args = parser.parse_args()
    use_pabutools = not args.no_pabutools and importlib.util.find_spec("pabutools") is not None
    print(
        "source:",
        "pabutools (recomputed), shared JSON where not"
        if use_pabutools
        else "shared reference-outcomes.json only (pabutools not installed)",
    )
    reference = shared_reference()
    fixture: dict[str, Any] = {
        "_about": {
            "what": "pabutools 1.2.3 outcomes (selected ids, sorted) per file and Linli rule",
            "built_by": "benchmarks/voting_reference.py",
        }
    }
    mismatches = 0
    for name, entry in reference.items():
        if name == "_about":
            continue
        path = pabulib_dir() / name
        sha = subprocess.run(
            ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
        ).stdout.strip()
        info = entry["_info"]
        rules: dict[str, Any] = {}
        for rule, key in rule_keys(reference, info["vote_type"]).items():
            shared = entry[key]
            if shared.get("status") != "ok":
                continue
            record = {
                "selected": shared["selected"],
                "total_cost": shared["total_cost"],
                "source": f"shared reference-outcomes.json ({key})",
            }
            if use_pabutools:
                status, selected = call_in_child(pabutools_outcome, (str(path), rule), args.timeout)
                if status == "ok" and selected is not None:
                    agrees = selected == shared["selected"]
                    mismatches += not agrees
                    record["selected"] = selected
                    record["source"] = "pabutools 1.2.3, recomputed" + (
                        "" if agrees else " (DIFFERS from the shared JSON)"
                    )
                else:
                    status = "no pabutools satisfaction" if status == "ok" else status
                    record["source"] += f"; pabutools {status}"
            print(f"{name[:45]:45} {rule:16} {record['source']}")
            rules[rule] = record
        fixture[name] = {"git_blob_sha1": sha, "vote_type": info["vote_type"], "rules": rules}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE} ({mismatches} disagreements with the shared JSON)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
