"""Linli's tally engine: pure Python + NumPy, exact where it matters.

Read a Pabulib file, run a participatory-budgeting rule, get the outcome with its explanation::

    election = read_pb("Poland_Warszawa_2026.pb")
    outcome = tally(election.instance, election.profile, "mes+greedy")
"""

from voting.ballots import validate_ballot
from voting.errors import BallotError, PabulibError, UnsupportedRuleError, VotingError
from voting.model import (
    VOTE_TYPES,
    Ballot,
    BallotConstraints,
    Election,
    Instance,
    Profile,
    Project,
    format_exact,
    parse_exact,
)
from voting.outcome import (
    GreedyExplanation,
    GreedyStep,
    MESExplanation,
    MESLoser,
    MESPurchase,
    Outcome,
    PayerGroup,
    PhragmenExplanation,
    PhragmenStep,
)
from voting.pabulib import read_pb, write_pb
from voting.rows import (
    EqualSharesRows,
    ExplanationRows,
    GreedyRow,
    GreedyRows,
    LoserRow,
    PhragmenRow,
    PhragmenRows,
    PurchaseRow,
    explanation_rows,
    rows_from_dict,
)
from voting.rules import APP_RULES, RULES, Rule, rules_for, tally
from voting.tiebreak import TIE_BREAKS

__all__ = [
    "APP_RULES",
    "RULES",
    "TIE_BREAKS",
    "VOTE_TYPES",
    "Ballot",
    "BallotConstraints",
    "BallotError",
    "Election",
    "EqualSharesRows",
    "ExplanationRows",
    "GreedyExplanation",
    "GreedyRow",
    "GreedyRows",
    "GreedyStep",
    "Instance",
    "LoserRow",
    "MESExplanation",
    "MESLoser",
    "MESPurchase",
    "Outcome",
    "PabulibError",
    "PayerGroup",
    "PhragmenExplanation",
    "PhragmenRow",
    "PhragmenRows",
    "PhragmenStep",
    "Profile",
    "Project",
    "PurchaseRow",
    "Rule",
    "UnsupportedRuleError",
    "VotingError",
    "explanation_rows",
    "format_exact",
    "parse_exact",
    "read_pb",
    "rows_from_dict",
    "rules_for",
    "tally",
    "validate_ballot",
    "write_pb",
]
