"""The Linli store: SQLModel tables, one module per aggregate, and the engine.

Every table module is imported here so that ``SQLModel.metadata`` is complete for Alembic.
"""

from models import (
    alliances,
    allocation,
    audit,
    chain,
    donors,
    funds,
    meetings,
    needs,
    orders,
    paper,
    people,
    places,
    points,
    proposals,
    ratings,
    reviews,
    rounds,
)
from models.alliances import (
    AllianceCall,
    AllianceCallPart,
    AllianceEvent,
    AllianceProposal,
    AllianceScore,
)
from models.allocation import AllocationAdjustment, AllocationLine, AllocationPlan
from models.audit import AuditEntry
from models.chain import BooksCheck, ChainHead
from models.donors import Campaign, RevenueAsset
from models.engine import database_url, make_engine, upgrade_database
from models.funds import (
    CharterException,
    Contribution,
    Fund,
    FundCharter,
    LedgerEntry,
    PaymentRequest,
)
from models.meetings import AgendaItem, Attendance, Decision, Meeting, MeetingNote
from models.needs import Need, NeedSupport
from models.orders import ServiceOrder, SocialOrganisation
from models.paper import PaperReading, PaperSheet
from models.people import Account, FailedAttempt, Household, Person, RoleGrant, SignInSession
from models.places import Alliance, AllianceMember, Place
from models.points import (
    PointsAccount,
    PointsCorrection,
    PointsEntry,
    PointsItem,
    PointsRule,
    PointsShare,
    PointsShareRate,
    VolunteerShift,
)
from models.proposals import (
    Attachment,
    CoFundingPledge,
    Proposal,
    ProposalLineItem,
    ProposalStatusChange,
    ProposalSupport,
)
from models.ratings import ProjectRating
from models.reviews import Review, ReviewAssignment, ReviewSession, RubricScore
from models.rounds import (
    Ballot,
    BallotEntry,
    BudgetRound,
    PendingBallot,
    PollBookEntry,
    RoundPhaseChange,
    Tally,
    VotingCode,
)

__all__ = [
    "Account",
    "AgendaItem",
    "Alliance",
    "AllianceCall",
    "AllianceCallPart",
    "AllianceEvent",
    "AllianceMember",
    "AllianceProposal",
    "AllianceScore",
    "AllocationAdjustment",
    "AllocationLine",
    "AllocationPlan",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Ballot",
    "BallotEntry",
    "BooksCheck",
    "BudgetRound",
    "Campaign",
    "ChainHead",
    "CharterException",
    "CoFundingPledge",
    "Contribution",
    "Decision",
    "FailedAttempt",
    "Fund",
    "FundCharter",
    "Household",
    "LedgerEntry",
    "Meeting",
    "MeetingNote",
    "Need",
    "NeedSupport",
    "PaperReading",
    "PaperSheet",
    "PaymentRequest",
    "PendingBallot",
    "Person",
    "Place",
    "PointsAccount",
    "PointsCorrection",
    "PointsEntry",
    "PointsItem",
    "PointsRule",
    "PointsShare",
    "PointsShareRate",
    "PollBookEntry",
    "ProjectRating",
    "Proposal",
    "ProposalLineItem",
    "ProposalStatusChange",
    "ProposalSupport",
    "RevenueAsset",
    "Review",
    "ReviewAssignment",
    "ReviewSession",
    "RoleGrant",
    "RoundPhaseChange",
    "RubricScore",
    "ServiceOrder",
    "SignInSession",
    "SocialOrganisation",
    "Tally",
    "VolunteerShift",
    "VotingCode",
    "alliances",
    "allocation",
    "audit",
    "chain",
    "database_url",
    "donors",
    "funds",
    "make_engine",
    "meetings",
    "needs",
    "orders",
    "paper",
    "people",
    "places",
    "points",
    "proposals",
    "ratings",
    "reviews",
    "rounds",
    "upgrade_database",
]
