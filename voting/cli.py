"""Command line: `python -m voting tally FILE.pb --rule RULE`, `... explain ... --project ID`,
and `python -m voting verify FILE.pb|DIR ...` (see `voting.verify`).

Errors the user can fix (a broken file, a rule that does not apply) print one line on stderr
and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from fractions import Fraction

from voting.errors import VotingError
from voting.matrix import support_totals
from voting.measures import ProjectMeasure, project_measures
from voting.model import Election, format_exact
from voting.outcome import (
    GreedyExplanation,
    MESExplanation,
    Outcome,
    PhragmenExplanation,
)
from voting.pabulib import read_pb
from voting.rules import RULES, tally
from voting.tiebreak import TIE_BREAKS
from voting.verify import Verdict, pb_files, summary, verify_file

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m voting", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("tally", "run a rule"), ("explain", "why a project won or lost")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("file", help="a Pabulib .pb file")
        sub.add_argument("--rule", required=True, choices=list(RULES))
        sub.add_argument("--tie-break", default="id", choices=list(TIE_BREAKS))
        if name == "tally":
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            sub.add_argument(
                "--measures",
                action="store_true",
                help="add each project's performance measures (voting/measures.py)",
            )
        else:
            sub.add_argument("--project", required=True, help="a project id as in the file")
    check = commands.add_parser(
        "verify", help="does each file's published result follow from its ballots?"
    )
    check.add_argument("paths", nargs="+", help="Pabulib .pb files or directories of them")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _money(value: Fraction) -> str:
    text = format_exact(value)
    return text if "/" not in text else f"{float(value):.2f}"


def _number(value: Fraction) -> str:
    text = format_exact(value)
    return text if "/" not in text else f"{float(value):.6g} (exact in --json)"


def _print_table(election: Election, outcome: Outcome, seconds: dict[str, float]) -> None:
    projects = {p.id: p for p in election.instance.projects}
    support = dict(zip(projects, support_totals(election.instance, election.profile), strict=True))
    print(f"{outcome.rule} (ties by {outcome.tie_break}): {len(outcome.selected)} projects")
    width = max([7, *(len(i) for i in outcome.selected)])
    print(f"{'#':>3}  {'project':<{width}}  {'cost':>14}  {'support':>10}  name")
    for n, pid in enumerate(outcome.selected, start=1):
        p = projects[pid]
        print(
            f"{n:>3}  {pid:<{width}}  {_money(p.cost):>14}  "
            f"{format_exact(support[pid]):>10}  {p.name[:50]}"
        )
    print(
        f"total cost {_money(outcome.total_cost)} of budget {_money(outcome.budget)}, "
        f"left over {_money(outcome.leftover)}"
    )
    print(f"read {seconds['read']:.3f} s, tally {seconds['tally']:.3f} s")


def _explain_greedy(explanation: GreedyExplanation, pid: str, phase: str = "") -> str | None:
    for step in explanation.steps:
        if step.project == pid:
            where = (
                f"{phase}ranked {step.rank} by {explanation.order_by} "
                f"(support {format_exact(step.support)}, cost {_money(step.cost)})"
            )
            left = _money(step.budget_left_before)
            threshold = _number(explanation.threshold or Fraction(0))
            why = {
                "": f"selected, {left} was still left",
                "no_fit": f"skipped, it did not fit in the {left} left",
                "below_threshold": f"not counted, its support is below the threshold {threshold}",
                "after_stop": f"not considered, the count stopped at {step.because_of}",
                "exclusive_group": f"excluded, {step.because_of} of its group was funded first",
                "withdrawn": "withdrawn (cost 999999999: it could not be carried out)",
            }[step.skipped_because]
            return f"{where}: {why}"
    return None


def explain(outcome: Outcome, pid: str) -> str:
    """One paragraph saying why a project won or lost."""
    e = outcome.explanation
    if isinstance(e, GreedyExplanation):
        return _explain_greedy(e, pid) or f"{pid} was already selected"
    if isinstance(e, PhragmenExplanation):
        for step in e.steps:
            if step.project == pid:
                load = "none" if step.load is None else _money(step.load)
                return (
                    f"selected in round {step.round}: its {step.supporters} supporters could "
                    f"pay for it at a load of {load} each"
                )
        return (
            f"not selected: the rule stopped when project {e.stopped_by} no longer fitted"
            if e.stopped_by
            else "not selected: no project was left to buy"
        )
    assert isinstance(e, MESExplanation)
    lines = [
        f"Equal Shares gave each voter {_money(e.budget_per_voter)}"
        + (f" (after {e.add1_iterations} Add1 runs)" if e.add1_iterations else "")
        + "."
    ]
    for buy in e.purchases:
        if buy.project == pid:
            lines.append(
                f"Bought in round {buy.round} at rho = {_number(buy.rho)} per unit of utility, "
                f"cost {_money(buy.cost)}, {buy.supporters} supporters:"
            )
            for g in buy.payers:
                if g.capped:
                    lines.append(
                        f"  {g.voters} voters paid all they had left, "
                        f"{_money(g.paid_total)} together"
                    )
                else:
                    lines.append(
                        f"  {g.voters} voters paid {_money(g.paid_each or Fraction(0))} each"
                    )
            return "\n".join(lines)
    for loser in e.losers:
        if loser.project == pid:
            lines.append(
                f"Not bought by Equal Shares: its {loser.supporters} supporters had "
                f"{_money(loser.supporters_money)} left for a cost of {_money(loser.cost)}, "
                f"lacking {_money(loser.lacking_money)}."
            )
    if e.completion is not None:
        lines.append(_explain_greedy(e.completion, pid, "Then greedy: ") or "")
    return "\n".join(line for line in lines if line)


_VERDICT_WORDS = {
    "agree": "agrees",
    "differ": "DIFFERS",
    "tie": "differs by a tie",
    "not_implemented": "not implemented",
    "no_selected": "no selected column",
    "unreadable": "unreadable",
}


def _verdict_line(v: Verdict) -> str:
    how = f"{v.rule}, ties by {v.tie_break}" if v.rule else v.meta_rule or "no rule"
    text = f"{v.file}: {_VERDICT_WORDS[v.verdict]} ({how}; {v.seconds:.2f} s)"
    if v.only_official:
        text += f"; only in the official result: {', '.join(v.only_official)}"
    if v.only_ours:
        text += f"; only in ours: {', '.join(v.only_ours)}"
    if v.other_reason:
        text += f"; selected for another reason (2): {', '.join(v.other_reason)}"
    return text + (f"; {v.note}" if v.note else "")


def _verify(paths: list[str], as_json: bool) -> int:
    """Exit 0 when every difference is explained (a tie), 1 when one is not, 2 when a file
    could not be read or run (each named on stderr)."""
    verdicts = []
    for path in pb_files(paths):
        verdict = verify_file(path)
        verdicts.append(verdict)
        if verdict.verdict == "unreadable":
            print(f"error: {path}: {verdict.note}", file=sys.stderr)
        elif not as_json:
            print(_verdict_line(verdict), flush=True)
    counts = summary(verdicts)
    if as_json:
        data = {"files": [v.to_dict() for v in verdicts], "summary": counts}
        print(json.dumps(data, ensure_ascii=False))
    elif len(verdicts) > 1:
        print(
            f"{counts['files']} files: {counts['agree']} agree, {counts['differ']} differ, "
            f"{counts['tie']} differ by a tie, {counts['not_implemented']} not implemented, "
            f"{counts['no_selected']} without a selected column, "
            f"{counts['unreadable']} unreadable"
        )
    return 2 if counts["unreadable"] else 1 if counts["differ"] else 0


def describe_measure(m: ProjectMeasure, measured: bool = True) -> str:
    """A project's performance measures in one sentence."""
    if not measured:
        return "Performance measures are not computed for this rule."
    if m.selected:
        if m.max_cost is None:
            return "Won; no margin could be measured."
        return (
            f"Won with a margin: it would still have won at a cost of up to "
            f"{_money(m.max_cost)} ({_money(m.max_cost - m.cost)} more than its cost)."
        )
    if m.max_cost is None:
        cost = "No lower cost would have made it win"
    else:
        cost = (
            f"It would have won at a cost of {_money(m.max_cost)} "
            f"({_money(m.cost - m.max_cost)} less)"
        )
    if m.extra_supporters is not None:
        k = m.extra_supporters
        more = f"with {k} more voter{'' if k == 1 else 's'} supporting it alone"
    elif m.supporters_searched is not None:
        more = f"no number of extra supporters up to {m.supporters_searched} would have done"
    else:
        more = "no number of extra supporters would have done"
    return f"{cost}, or {more}." if m.max_cost is not None else f"{cost}; {more}."


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "verify":
        try:
            return _verify(args.paths, args.json)
        except VotingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    try:
        start = time.perf_counter()
        election = read_pb(args.file)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        outcome = tally(election.instance, election.profile, args.rule, args.tie_break)
        seconds = {"read": read_s, "tally": time.perf_counter() - start}
        if args.command == "explain":
            if args.project not in {p.id for p in election.instance.projects}:
                raise VotingError(f"no project {args.project!r} in {args.file}")
            print(explain(outcome, args.project))
            measures = project_measures(
                election.instance,
                election.profile,
                args.rule,
                args.tie_break,
                outcome,
                reruns=50,
                only=[args.project],
            )
            print(describe_measure(measures.projects[0], measures.measured))
        elif args.json:
            data = outcome.to_dict()
            if args.measures:
                start = time.perf_counter()
                data["measures"] = project_measures(
                    election.instance, election.profile, args.rule, args.tie_break, outcome
                ).to_dict()
                seconds["measures"] = time.perf_counter() - start
            data["numbers"] = "exact: decimal strings, or p/q when not a finite decimal"
            data["seconds"] = {k: round(v, 4) for k, v in seconds.items()}
            print(json.dumps(data, ensure_ascii=False))
        else:
            _print_table(election, outcome, seconds)
            if args.measures:
                measures = project_measures(
                    election.instance, election.profile, args.rule, args.tie_break, outcome
                )
                for m in measures.projects:
                    print(f"{m.project}: {describe_measure(m, measures.measured)}")
    except VotingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
