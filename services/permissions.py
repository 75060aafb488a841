"""The permission table: which role may take which action where.

A grant is held for a place (or an alliance, which stands for its member communities).
Officials act *within* their place: a street reviewer covers every community of the street.
Residents act *around* their home: a resident of a compound may vote in the round of the
community that contains it, and post a need there. Admins granted without a place act anywhere.

These are pure predicates over a ``Viewer`` and a ``PlaceTree``: services call ``require`` before
every change and every private read, and the navigation is built from ``can_somewhere``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from models.vocabulary import CommitteePosition, Role
from services.errors import NotAllowed


class Action(StrEnum):
    POST_NEED = "post_need"
    SUPPORT = "support"
    SUBMIT_PROPOSAL = "submit_proposal"
    CAST_BALLOT = "cast_ballot"
    VIEW_COMMITTEE_MATERIAL = "view_committee_material"
    REVIEW_ELIGIBILITY = "review_eligibility"
    RUN_MEETING = "run_meeting"
    STEER_MEETING = "steer_meeting"  # move through the agenda, start an item's speaking time
    PUBLISH_MINUTES = "publish_minutes"
    MANAGE_ROUND = "manage_round"
    TALLY_ROUND = "tally_round"
    PUBLISH_TALLY = "publish_tally"
    OVERRIDE_RESULT = "override_result"
    ENTER_PAPER_BALLOT = "enter_paper_ballot"
    ISSUE_VOTING_CODES = "issue_voting_codes"
    SETTLE_PAPER_SHEET = "settle_paper_sheet"
    RECORD_DONATION = "record_donation"
    RECORD_EXPENSE = "record_expense"
    APPROVE_EXPENSE = "approve_expense"  # never one's own payment request (services.expenses)
    OVERRIDE_CHARTER = "override_charter"  # a proposal or a payment let through, with a reason
    VIEW_BOOKS = "view_books"
    SCORE_PROJECT = "score_project"
    VIEW_REVIEWS = "view_reviews"
    MANAGE_PLACES = "manage_places"
    MANAGE_FUNDS = "manage_funds"
    GRANT_ROLES = "grant_roles"
    VIEW_AUDIT_LOG = "view_audit_log"
    VERIFY_BOOKS = "verify_books"
    SET_POINTS_RULE = "set_points_rule"
    RECORD_POINTS = "record_points"
    MANAGE_POINTS_CATALOGUE = "manage_points_catalogue"
    REDEEM_POINTS = "redeem_points"
    DONATE_POINTS = "donate_points"
    REGISTER_SOCIAL_ORGANISATION = "register_social_organisation"
    PLACE_ORDER = "place_order"
    HANDLE_ORDER = "handle_order"  # take, deliver and report, for the social organisation
    MANAGE_CAMPAIGN = "manage_campaign"
    RECORD_REVENUE = "record_revenue"
    FORM_ALLIANCE = "form_alliance"  # asked at every member community (services.alliances)
    RUN_JOINT_FUND = "run_joint_fund"  # asked at the community chairing the council
    RECORD_JOINT_WORK = "record_joint_work"
    EVALUATE_JOINT_WORK = "evaluate_joint_work"
    DRAFT_ALLOCATION = "draft_allocation"
    ADJUST_ALLOCATION = "adjust_allocation"
    PUBLISH_ALLOCATION = "publish_allocation"  # never by the one who drafted the plan
    RATE_PROJECT = "rate_project"  # a resident's stars for a completed project


class Reach(StrEnum):
    WITHIN = "within"  # the grant's place or anything under it
    AROUND = "around"  # also the places above it (a resident's community, street)


@dataclass(frozen=True)
class Holder:
    """A role, optionally narrowed to a committee position."""

    role: Role
    position: CommitteePosition | None = None
    reach: Reach = Reach.WITHIN


RESIDENT = Holder(Role.RESIDENT, reach=Reach.AROUND)
COMMITTEE = Holder(Role.COMMITTEE_MEMBER)
CHAIR = Holder(Role.COMMITTEE_MEMBER, CommitteePosition.CHAIR)
SECRETARY = Holder(Role.COMMITTEE_MEMBER, CommitteePosition.SECRETARY)
TREASURER = Holder(Role.COMMITTEE_MEMBER, CommitteePosition.TREASURER)
CLERK = Holder(Role.CLERK)
REVIEWER = Holder(Role.REVIEWER)
EVALUATOR = Holder(Role.EVALUATOR)
ADMIN = Holder(Role.ADMIN)

PERMISSIONS: Mapping[Action, tuple[Holder, ...]] = {
    Action.POST_NEED: (RESIDENT, COMMITTEE, CLERK),
    Action.SUPPORT: (RESIDENT,),
    Action.SUBMIT_PROPOSAL: (RESIDENT, COMMITTEE, CLERK),
    Action.CAST_BALLOT: (RESIDENT,),
    Action.VIEW_COMMITTEE_MATERIAL: (COMMITTEE, CLERK, ADMIN),
    Action.REVIEW_ELIGIBILITY: (COMMITTEE,),
    Action.RUN_MEETING: (COMMITTEE, CLERK),
    Action.STEER_MEETING: (CHAIR, SECRETARY),
    Action.PUBLISH_MINUTES: (CHAIR, SECRETARY),
    Action.MANAGE_ROUND: (CHAIR, ADMIN),
    Action.TALLY_ROUND: (COMMITTEE,),
    Action.PUBLISH_TALLY: (CHAIR,),
    Action.OVERRIDE_RESULT: (CHAIR,),
    Action.ENTER_PAPER_BALLOT: (CLERK,),
    Action.ISSUE_VOTING_CODES: (CLERK,),
    # The third look at a paper sheet two clerks read differently: a clerk who keyed neither
    # reading, or a committee member, who oversees the count (services.paper).
    Action.SETTLE_PAPER_SHEET: (COMMITTEE, CLERK),
    Action.RECORD_DONATION: (TREASURER, CLERK),
    Action.RECORD_EXPENSE: (TREASURER,),
    Action.APPROVE_EXPENSE: (COMMITTEE,),
    # Against the fund's charter: the chair, with a reason the notice board shows.
    Action.OVERRIDE_CHARTER: (CHAIR,),
    Action.VIEW_BOOKS: (COMMITTEE, CLERK, REVIEWER, ADMIN),
    Action.SCORE_PROJECT: (REVIEWER,),
    Action.VIEW_REVIEWS: (REVIEWER,),
    Action.MANAGE_PLACES: (ADMIN,),
    Action.MANAGE_FUNDS: (CHAIR, ADMIN),
    Action.GRANT_ROLES: (ADMIN,),
    Action.VIEW_AUDIT_LOG: (ADMIN,),
    Action.VERIFY_BOOKS: (ADMIN,),
    # Points (积分): the committee's chair sets what an hour earns; the community's clerks (its
    # social workers) record the hours and keep the catalogue with the chair; residents spend.
    Action.SET_POINTS_RULE: (CHAIR,),
    Action.RECORD_POINTS: (CLERK,),
    Action.MANAGE_POINTS_CATALOGUE: (CHAIR, CLERK),
    Action.REDEEM_POINTS: (RESIDENT,),
    # A resident gives points as a special share of donation to a fund of their community.
    Action.DONATE_POINTS: (RESIDENT,),
    # Orders (群众点单—社区下单—社会组织接单): the community's clerks (social workers) keep the
    # register of social organisations (with the chair and the administrators) and record, for
    # the organisation, that it took an order, delivered it and whom it served; the chair places
    # an order for the committee (and withdraws it). Organisations hold no accounts of their own.
    Action.REGISTER_SOCIAL_ORGANISATION: (CHAIR, CLERK, ADMIN),
    Action.PLACE_ORDER: (CHAIR,),
    Action.HANDLE_ORDER: (CLERK,),
    # Crowdfunding campaigns: the chair or the treasurer opens and closes them; gifts to them
    # are donations (RECORD_DONATION). Revenue assets and their income: the treasurer's.
    Action.MANAGE_CAMPAIGN: (CHAIR, TREASURER),
    Action.RECORD_REVENUE: (TREASURER,),
    # Alliances (组团联建): whoever forms one must reach every member community (a street's
    # admin or chair); the council's chair is the chair of the community whose turn it is; the
    # evaluator is a third party, granted for the alliance.
    Action.FORM_ALLIANCE: (CHAIR, ADMIN),
    Action.RUN_JOINT_FUND: (CHAIR,),
    Action.RECORD_JOINT_WORK: (CHAIR, SECRETARY, CLERK),
    Action.EVALUATE_JOINT_WORK: (EVALUATOR,),
    # Next year's seed money across a street's communities (services.allocation): the street's
    # reviewers and its administrators draft and adjust the split; one of them other than the
    # drafter publishes it (four eyes, as for a payment request).
    Action.DRAFT_ALLOCATION: (REVIEWER, ADMIN),
    Action.ADJUST_ALLOCATION: (REVIEWER, ADMIN),
    Action.PUBLISH_ALLOCATION: (REVIEWER, ADMIN),
    # Residents rate the completed projects of their place or of a place above it.
    Action.RATE_PROJECT: (RESIDENT,),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    position: CommitteePosition | None
    place_ids: frozenset[int] | None  # None: everywhere (an admin granted without a place)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: ids and plain values only, safe to keep in a Streamlit session."""

    person_id: int | None
    display_name: str = ""
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None

    def has_role(self, role: Role) -> bool:
        return any(grant.role == role for grant in self.grants)


ANONYMOUS = Viewer(person_id=None)


@dataclass(frozen=True)
class PlaceTree:
    """Parent links of every place: small (a street has tens of places), loaded per request."""

    parents: Mapping[int, int | None]

    def lineage(self, place_id: int) -> list[int]:
        """The place and all places above it, nearest first."""
        chain: list[int] = []
        current: int | None = place_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return chain

    def covers(self, place_id: int, target_id: int) -> bool:
        return place_id in self.lineage(target_id)


def _holds(grant: Grant, holder: Holder) -> bool:
    if grant.role != holder.role:
        return False
    return holder.position is None or grant.position == holder.position


def _reaches(grant: Grant, holder: Holder, target: int | None, tree: PlaceTree) -> bool:
    if grant.place_ids is None:
        return True
    if target is None:
        return False
    for place_id in grant.place_ids:
        if tree.covers(place_id, target):
            return True
        if holder.reach is Reach.AROUND and tree.covers(target, place_id):
            return True
    return False


def can(viewer: Viewer, action: Action, place_id: int | None, tree: PlaceTree) -> bool:
    return any(
        _holds(grant, holder) and _reaches(grant, holder, place_id, tree)
        for holder in PERMISSIONS[action]
        for grant in viewer.grants
    )


def can_somewhere(viewer: Viewer, action: Action) -> bool:
    """For the navigation: does any grant give this action at some place?"""
    return any(_holds(grant, holder) for holder in PERMISSIONS[action] for grant in viewer.grants)


def places_where(
    viewer: Viewer, action: Action, candidates: Iterable[int], tree: PlaceTree
) -> set[int]:
    return {place_id for place_id in candidates if can(viewer, action, place_id, tree)}


def require(viewer: Viewer, action: Action, place_id: int | None, tree: PlaceTree) -> None:
    if not can(viewer, action, place_id, tree):
        raise NotAllowed(action=action.value)
