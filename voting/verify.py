"""`python -m voting verify`: does a city's published result follow from its ballots?

For each Pabulib file, run the rule its META `rule` names, with that rule's tie-break (the
first in `OFFICIAL_RULES`), and compare with the PROJECTS column `selected`. A project marked 2
was "selected for another reason" (the file's comment says why): it is reported apart and
left out of the comparison. When the result differs, the other tie-break is tried: if it
matches, or if a project only in the official result has exactly the support of a project only
in ours, the difference is a tie (a decision between projects of equal support), not an error.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from voting.errors import VotingError
from voting.matrix import support_totals
from voting.model import Election, format_exact
from voting.pabulib import read_pb
from voting.rules import RULES, tally
from voting.variants import GROUP_COLUMN, THRESHOLD_KEY, score_threshold

__all__ = ["OFFICIAL_RULES", "OfficialRule", "Verdict", "pb_files", "summary", "verify_file"]


@dataclass(frozen=True)
class OfficialRule:
    """How a META `rule` is run: a registry name and tie-breaks, first the city's convention;
    `rule` None: not reproducible, `reason` says why."""

    rule: str | None
    tie_breaks: tuple[str, ...] = ()
    reason: str = ""


_GREEDY = ("id", "cost")  # Pabulib's greedy results follow the id order; some cities the cost
_MES = ("cost", "id")  # the Pabulib checker and equalshares.net prefer the cheaper project

# The one table from Pabulib's META `rule` values to this engine's registry.
OFFICIAL_RULES: dict[str, OfficialRule] = {
    "greedy": OfficialRule("greedy", _GREEDY),
    "greedy-threshold": OfficialRule("greedy-threshold", _GREEDY),
    "greedy-no-skip": OfficialRule("greedy-no-skip", _GREEDY),
    "greedy-exclusive": OfficialRule("greedy-exclusive", _GREEDY),
    "greedy-custom": OfficialRule(
        None, reason="custom rule described in the file's comment, not reproduced"
    ),
    "equalshares": OfficialRule("mes", _MES),
    "equalshares-comparison": OfficialRule("mes-comparison", _MES),
    "equalshares/add1": OfficialRule("mes-add1-checker", _MES),
    "equalshares/add1-comparison": OfficialRule("mes-add1-comparison", _MES),
    "unknown": OfficialRule(None, reason="the file does not say which rule the city used"),
}

VERDICTS = ("agree", "differ", "tie", "not_implemented", "no_selected", "unreadable")


@dataclass
class Verdict:
    """One file's check. `verdict` is one of VERDICTS; project lists are sorted ids."""

    file: str
    meta_rule: str = ""
    rule: str | None = None
    tie_break: str | None = None
    verdict: str = "unreadable"
    only_official: list[str] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)
    other_reason: list[str] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pb_files(paths: list[str]) -> list[Path]:
    """The .pb files named, or inside the directories named; VotingError for a bad path."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(path.glob("*.pb"))
            if not inside:
                raise VotingError(f"no .pb file in {name}")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise VotingError(f"no such file or directory: {name}")
    return found


def _selected_column(election: Election) -> str | None:
    for column in election.instance.project_columns:
        if column.strip().lower() == "selected":
            return column
    return None


def _official(election: Election, column: str) -> tuple[set[str], set[str]]:
    """Projects marked 1, and those marked 2 (selected for another reason)."""
    ones: set[str] = set()
    twos: set[str] = set()
    for p in election.instance.projects:
        mark = p.fields.get(column, "").strip()
        if mark in ("1", "2"):
            (ones if mark == "1" else twos).add(p.id)
        elif mark not in ("0", ""):
            raise VotingError(f"project {p.id}: selected is {mark!r}, not 0, 1 or 2")
    return ones, twos


def _compare(election: Election, verdict: Verdict, official: OfficialRule, column: str) -> None:
    assert official.rule is not None
    ones, twos = _official(election, column)
    verdict.other_reason = sorted(twos)
    verdict.tie_break = official.tie_breaks[0]
    support = dict(
        zip(
            (p.id for p in election.instance.projects),
            support_totals(election.instance, election.profile),
            strict=True,
        )
    )
    first: tuple[set[str], set[str]] | None = None
    for k, tie_break in enumerate(official.tie_breaks):
        ours = set(tally(election, rule=official.rule, tie_break=tie_break).selected) - twos
        if first is None:
            first = (ones - ours, ours - ones)
        if ours == ones:
            verdict.verdict = "agree" if k == 0 else "tie"
            if k:
                verdict.note = f"ties broken by {tie_break} give the official result"
            break
    else:
        assert first is not None
        equal = {support[p] for p in first[0]} & {support[p] for p in first[1]}
        verdict.verdict = "tie" if equal else "differ"
        if equal:
            verdict.note = "equal support " + ", ".join(format_exact(s) for s in sorted(equal))
    assert first is not None
    if verdict.verdict != "agree":
        verdict.only_official, verdict.only_ours = sorted(first[0]), sorted(first[1])


def _add_note(verdict: Verdict, text: str) -> None:
    verdict.note = f"{verdict.note}; {text}" if verdict.note else text


def verify_file(path: Path) -> Verdict:
    """Read one file, run its official rule and compare; a file that cannot be read or run
    gets verdict "unreadable" and the reason in `note`."""
    start = time.perf_counter()
    verdict = Verdict(path.name)
    try:
        election = read_pb(path)
        meta_rule = election.instance.meta.get("rule", "").strip()
        verdict.meta_rule = meta_rule
        official = OFFICIAL_RULES.get(meta_rule)
        column = _selected_column(election)
        if column is None:
            verdict.verdict = "no_selected"
        elif official is None:
            verdict.verdict = "not_implemented"
            verdict.note = f"rule {meta_rule or '(none)'} is not a Pabulib rule name"
        elif official.rule is None:
            verdict.verdict, verdict.note = "not_implemented", official.reason
        elif official.rule not in RULES:
            verdict.verdict = "not_implemented"
            verdict.note = f"rule {meta_rule} not implemented (needs {official.rule})"
        else:
            verdict.rule = official.rule
            _compare(election, verdict, official, column)
            groups = any(GROUP_COLUMN in p.fields for p in election.instance.projects)
            if meta_rule == "greedy-exclusive" and not groups:
                _add_note(
                    verdict, "no exclusion groups in the file (Pabulib has none): plain greedy"
                )
            if meta_rule == "greedy" and score_threshold(election.instance) is not None:
                _add_note(verdict, f"plain greedy ignores META {THRESHOLD_KEY}")
    except VotingError as exc:
        verdict.verdict, verdict.note = "unreadable", str(exc)
    verdict.seconds = time.perf_counter() - start
    return verdict


def summary(verdicts: list[Verdict]) -> dict[str, int]:
    """How many files got each verdict, and how many in all."""
    counts = {"files": len(verdicts)} | dict.fromkeys(VERDICTS, 0)
    for v in verdicts:
        counts[v.verdict] += 1
    return counts
