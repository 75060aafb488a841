"""Shared helpers of the voting_* scripts: where the Pabulib files are, and pabutools calls."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "voting" / "fixtures" / "reference_outcomes.json"


def pabulib_dir() -> Path:
    """LINLI_PABULIB_DIR, else <repo>/../shared/pabulib (as the tests look for it)."""
    return Path(os.environ.get("LINLI_PABULIB_DIR") or REPO.parent / "shared" / "pabulib")


def shared_reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pabulib_dir() / "reference-outcomes.json").read_text())
    return data


def rule_keys(reference: dict[str, Any], file_vote_type: str) -> dict[str, str]:
    """CLI rule name -> key in reference-outcomes.json, for a file's vote type."""
    table = reference["_about"]["cli_rule_to_key"]
    group = (
        "approval and choose-1" if file_vote_type in ("approval", "choose-1") else file_vote_type
    )
    return dict(table[group])


def _child(function: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    queue.put(function(*args))


def call_in_child(
    function: Callable[..., Any], args: tuple[Any, ...], timeout: float
) -> tuple[str, Any]:
    """function(*args) in a child process killed after `timeout` seconds: ("ok", its result),
    ("timeout", None), or ("failed", None) when it raised."""
    queue: Any = multiprocessing.Queue()
    process = multiprocessing.Process(target=_child, args=(function, args, queue))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join()
        return "timeout", None
    if process.exitcode != 0 or queue.empty():
        return "failed", None
    return "ok", queue.get()


def pabutools_outcome(path: str, rule: str) -> list[str] | None:
    """Run pabutools 1.2.3 the way reference-outcomes.json records it; None if it has no such
    rule (greedy by total points for cumulative/ordinal is not a pabutools satisfaction)."""
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cardinality_Sat,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import (
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    instance, profile = parse_pabulib(path)
    vote_type = instance.meta["vote_type"]
    if vote_type in ("approval", "choose-1"):
        mes_sat, per_cost_sat = Cost_Sat, Cardinality_Sat
    elif vote_type == "ordinal":
        mes_sat, per_cost_sat = Additive_Borda_Sat, None
    else:
        mes_sat, per_cost_sat = Additive_Cardinal_Sat, Additive_Cardinal_Sat
    if rule == "phragmen":
        result = sequential_phragmen(instance, profile)
    elif rule == "greedy":
        if vote_type not in ("approval", "choose-1"):
            return None
        result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "greedy-per-cost":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=per_cost_sat)
    else:
        increment = 1 if "add1" in rule else None
        result = method_of_equal_shares(
            instance, profile, sat_class=mes_sat, voter_budget_increment=increment
        )
        if rule.endswith("+greedy") and not instance.is_exhaustive(result):
            result = greedy_utilitarian_welfare(
                instance,
                profile,
                sat_class=mes_sat,
                initial_budget_allocation=result,
                is_sat_additive=True,
            )
    return sorted(p.name for p in result)
