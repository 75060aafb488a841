"""The registry of rules the tally screen and the command line offer, and `tally`.

Which rules apply to which vote type follows pabutools' satisfaction functions (see
`docs/voting.md`): Phragmén needs approval ballots; greedy per cost is not offered for rankings.
A `variant` is a city's own rule as Pabulib names it, for the command line and `verify` only
(`rules_for` leaves it out): the greedy ones (`voting.variants`) read parameters from the file
(a threshold in META, exclusion groups in PROJECTS) that the app's rounds do not store; the
Pabulib checker's Equal Shares (`voting.mes`) counts whole currency units per voter and breaks
ties its own way, whatever tie-break a round chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voting.errors import UnsupportedRuleError
from voting.greedy import greedy_per_cost, greedy_utilitarian_welfare
from voting.mes import (
    mes_add1_checker,
    mes_add1_comparison,
    mes_comparison,
    method_of_equal_shares,
)
from voting.model import VOTE_TYPES, Election, Instance, Profile
from voting.outcome import Outcome
from voting.phragmen import sequential_phragmen
from voting.tiebreak import check_tie_break
from voting.variants import greedy_exclusive, greedy_no_skip, greedy_threshold

__all__ = ["APP_RULES", "RULES", "Rule", "rules_for", "tally"]

RuleFunction = Callable[[Instance, Profile, str], Outcome]

_CARDINAL = ("approval", "cumulative", "scoring")
_ALL = VOTE_TYPES


@dataclass(frozen=True)
class Rule:
    """A rule's function, the vote types it applies to, and a one-line description."""

    function: RuleFunction
    vote_types: tuple[str, ...]
    description: str
    variant: bool = False  # a city's variant: command line and verify only, not the app


def _mes(add1: bool, completion: bool) -> RuleFunction:
    def run(instance: Instance, profile: Profile, tie_break: str) -> Outcome:
        return method_of_equal_shares(
            instance, profile, tie_break, add1=add1, completion=completion
        )

    return run


RULES: dict[str, Rule] = {
    "greedy": Rule(greedy_utilitarian_welfare, _ALL, "greedy by total support"),
    "greedy-per-cost": Rule(greedy_per_cost, _CARDINAL, "greedy by support per unit of cost"),
    "mes": Rule(_mes(False, False), _ALL, "Method of Equal Shares, no completion"),
    "mes+greedy": Rule(_mes(False, True), _ALL, "Equal Shares, then greedy"),
    "mes-add1": Rule(_mes(True, False), _ALL, "Equal Shares with Add1 completion"),
    "mes-add1+greedy": Rule(_mes(True, True), _ALL, "Equal Shares with Add1, then greedy"),
    "phragmen": Rule(sequential_phragmen, ("approval",), "sequential Phragmén"),
    "greedy-threshold": Rule(
        greedy_threshold, _ALL, "greedy over projects with enough support (META)", variant=True
    ),
    "greedy-no-skip": Rule(
        greedy_no_skip, _ALL, "greedy that stops at the first misfit", variant=True
    ),
    "greedy-exclusive": Rule(
        greedy_exclusive, _ALL, "greedy, one project per exclusion group", variant=True
    ),
    "mes-add1-checker": Rule(
        mes_add1_checker,
        ("approval",),
        "Equal Shares with the Pabulib checker's Add1 (whole units per voter, no "
        "exhaustiveness stop; ties to the cheaper, then the more approved project)",
        variant=True,
    ),
    "mes-add1-comparison": Rule(
        mes_add1_comparison,
        ("approval",),
        "the checker's Add1, then greedy by votes if more voters prefer its outcome",
        variant=True,
    ),
    "mes-comparison": Rule(
        mes_comparison,
        ("approval",),
        "Equal Shares, then greedy by votes if more voters prefer its outcome",
        variant=True,
    ),
}


#: The rules a round in the app may count with: every rule but the cities' variants.
APP_RULES: tuple[str, ...] = tuple(name for name, rule in RULES.items() if not rule.variant)


def rules_for(vote_type: str) -> list[str]:
    """Names of the rules the app offers for a vote type, in registry order (no variants)."""
    return [name for name in APP_RULES if vote_type in RULES[name].vote_types]


def tally(
    instance: Instance | Election,
    profile: Profile | None = None,
    rule: str = "mes+greedy",
    tie_break: str = "id",
) -> Outcome:
    """Run a rule; an Election may be passed in place of (instance, profile)."""
    if isinstance(instance, Election):
        election = instance
        instance, profile = election.instance, election.profile
    if profile is None:
        raise TypeError("tally needs a profile")
    if rule not in RULES:
        raise UnsupportedRuleError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    check_tie_break(tie_break)
    if profile.vote_type not in RULES[rule].vote_types:
        raise UnsupportedRuleError(
            f"rule {rule!r} does not apply to {profile.vote_type} ballots "
            f"(use one of {', '.join(rules_for(profile.vote_type))})"
        )
    return RULES[rule].function(instance, profile, tie_break)
