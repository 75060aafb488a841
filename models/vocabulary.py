"""The vocabularies the tables store as text: places, roles, funds, ledger kinds, round phases,
proposal statuses, ballot kinds and channels, paper sheets, meetings, reviews.

Each is a plain ``StrEnum`` stored as a short string (not a database enum type), so adding a
value never needs a type migration on PostgreSQL; services validate against them. Which moves
between phases and statuses are allowed is not said here but in ``services.workflow``.
"""

from enum import StrEnum


class PlaceKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    COMPOUND = "compound"


PLACE_PARENT: dict[PlaceKind, PlaceKind | None] = {
    PlaceKind.DISTRICT: None,
    PlaceKind.STREET: PlaceKind.DISTRICT,
    PlaceKind.COMMUNITY: PlaceKind.STREET,
    PlaceKind.COMPOUND: PlaceKind.COMMUNITY,
}


class Role(StrEnum):
    RESIDENT = "resident"
    COMMITTEE_MEMBER = "committee_member"
    CLERK = "clerk"
    REVIEWER = "reviewer"
    EVALUATOR = "evaluator"  # a third party scoring an alliance's joint work (组团联建)
    ADMIN = "admin"


class CommitteePosition(StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    MEMBER = "member"


class FundKind(StrEnum):
    MOTHER = "mother"  # district mother fund (区级母基金)
    STREET = "street"  # street sub-fund (街镇子基金)
    COMMUNITY = "community"  # community micro-fund (社区微基金)
    ALLIANCE = "alliance"  # joint fund of an alliance (组团联建)
    FOUNDATION = "foundation"  # community foundation (社区基金会)


class Category(StrEnum):
    """What a project spends on; charters allow or forbid categories."""

    GREENING = "greening"
    ELDERLY_CARE = "elderly_care"
    CHILDREN = "children"
    SAFETY = "safety"
    CULTURE = "culture"
    ENVIRONMENT = "environment"
    PUBLIC_FACILITIES = "public_facilities"
    SERVICES = "services"
    BUILDING_MATERIALS = "building_materials"
    CONSTRUCTION_WORKS = "construction_works"
    ENTERTAINMENT = "entertainment"
    CHARITY_HANDOUT = "charity_handout"


class LedgerKind(StrEnum):
    """Why money moved; the sign comes from source and destination, never from the amount."""

    GRANT = "grant"  # seed money from a parent fund or government (自治金)
    DONATION = "donation"
    REVENUE = "revenue"  # self-generated income (自我造血): rent, parking, canteen
    ALLOCATION = "allocation"  # fund -> funded project
    EXPENSE = "expense"  # paid out against an invoice
    TRANSFER = "transfer"  # between funds
    REVERSAL = "reversal"  # corrects an earlier entry; the ledger is never edited
    RELEASE = "release"  # a closed project's unspent earmark, back to its fund's free money


class DonorKind(StrEnum):
    """Who gave a gift; the fund screen sums money by these (with grants and revenue)."""

    RESIDENT = "resident"
    CO_BUILDING_UNIT = "co_building_unit"  # 共建单位
    CHARITY = "charity"
    COMPANY = "company"


class MoneySource(StrEnum):
    """Where a fund's money came from (多元募集 + 自我造血), for the money-by-source figures."""

    GOVERNMENT = "government"  # grants, and seed money passed down the fund hierarchy
    RESIDENTS = "residents"
    UNITS = "units"  # co-building units
    CHARITY = "charity"
    COMPANIES = "companies"
    REVENUE = "revenue"
    UNSPECIFIED = "unspecified"  # gifts recorded before donor kinds existed


class CampaignStatus(StrEnum):
    """A crowdfunding campaign takes gifts while open and up to its deadline."""

    OPEN = "open"
    CLOSED = "closed"


class RevenueAssetKind(StrEnum):
    """What earns a fund its own income (自我造血)."""

    PARKING = "parking"
    CANTEEN = "canteen"
    CONTAINER_SHOP = "container_shop"
    RENT = "rent"
    SERVICE = "service"  # e.g. a 5-yuan haircut whose income goes to the fund
    OTHER = "other"


class ContributionKind(StrEnum):
    """Six-dimensional crowdfunding (六维众筹)."""

    MONEY = "money"
    SKILLS = "skills"
    RESOURCES = "resources"
    IDEAS = "ideas"
    SERVICES = "services"
    LABOUR = "labour"


class RoundPhase(StrEnum):
    """A round's phases; their order and the moves between them are ``services.workflow``'s."""

    DRAFT = "draft"
    NEEDS = "needs"
    PROPOSALS = "proposals"
    ELIGIBILITY = "eligibility"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    COUNTING = "counting"  # voting closed; counted and published in this phase only
    TALLIED = "tallied"
    IMPLEMENTATION = "implementation"
    CLOSED = "closed"


class BallotKind(StrEnum):
    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    SCORES = "scores"
    ORDINAL = "ordinal"
    KNAPSACK = "knapsack"


class BallotChannel(StrEnum):
    ONLINE = "online"  # signed in
    PAPER = "paper"  # a paper sheet a clerk typed in
    CODE = "code"  # a household voting code (入户投票码)
    IMPORTED = "imported"  # from a Pabulib file


class PaperSheetStatus(StrEnum):
    """Where a paper sheet is in double entry (services.paper)."""

    KEYED_ONCE = "keyed_once"  # one clerk has keyed it; a second, independent reading is due
    DIFFERS = "differs"  # the readings disagree: a third look decides
    CONFIRMED = "confirmed"  # two people read it alike: it is a ballot


class NeedStatus(StrEnum):
    OPEN = "open"
    ADOPTED = "adopted"  # became a proposal
    ORDERED = "ordered"  # became an order for a social organisation
    MERGED = "merged"
    CLOSED = "closed"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    ON_BALLOT = "on_ballot"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # 烂尾
    WITHDRAWN = "withdrawn"


class CoFundingSource(StrEnum):
    RESIDENTS = "residents"
    PROPERTY_MANAGER = "property_manager"
    CO_BUILDING_UNIT = "co_building_unit"  # 共建单位
    CHARITY = "charity"
    MERCHANT = "merchant"
    OTHER = "other"


class CharterStage(StrEnum):
    """Where a committee let something through against its fund's charter (a charter exception)."""

    ELIGIBILITY = "eligibility"  # a proposal marked eligible
    PAYMENT = "payment"  # a payment request approved


class PaymentRequestStatus(StrEnum):
    """A payment request (报销/付款申请) waits for a second committee member's decision."""

    SUBMITTED = "submitted"
    APPROVED = "approved"  # paid: an expense entry on the ledger names its receipt
    REJECTED = "rejected"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    RECEIPT = "receipt"  # invoice (发票)
    DOCUMENT = "document"


class MeetingKind(StrEnum):
    COMMITTEE = "committee"  # 议事会
    RESIDENT_ASSEMBLY = "resident_assembly"
    PARTY_MEMBER_FORUM = "party_member_forum"
    HEARING = "hearing"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    AMENDED = "amended"


class ReviewSessionStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class RubricCriterion(StrEnum):
    """Year-end review questions (年底评审): goal, participation, upkeep, books, satisfaction."""

    GOAL_MET = "goal_met"
    PARTICIPATION = "participation"
    MAINTENANCE = "maintenance"
    BOOKS_COMPLETE = "books_complete"
    SATISFACTION = "satisfaction"


class Recommendation(StrEnum):
    CONTINUE = "continue"
    CONTINUE_WITH_CHANGES = "continue_with_changes"
    STOP = "stop"


class PointsReason(StrEnum):
    VOLUNTEERING = "volunteering"
    REDEMPTION = "redemption"
    DONATION_SHARE = "donation_share"
    ADJUSTMENT = "adjustment"


class OrderStatus(StrEnum):
    """Where an order for a social organisation is; the moves are ``services.workflow``'s."""

    OPEN = "open"  # placed by the community, waiting for an organisation
    TAKEN = "taken"
    DELIVERED = "delivered"
    REPORTED = "reported"  # beneficiaries served and a report: done
    WITHDRAWN = "withdrawn"


class AllocationStatus(StrEnum):
    """A street's split of next year's seed money: reviewers adjust a draft; once published
    it is public and read-only (the moves are ``services.workflow``'s)."""

    DRAFT = "draft"
    PUBLISHED = "published"
