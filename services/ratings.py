"""Residents' ratings of completed projects (居民满意度): the residents' side of satisfaction in
the year-end indicators (``services.indicators``), beside the reviewers' rubric.

A resident rates a project of their own place or of a place above it (their community, their
street: the resident's reach in the permission table), only once it is completed, with 1 to 5
stars and an optional comment. One rating per resident per project: rating again revises it,
and the audit log keeps the stars before and after. The count and the mean are public; who gave
which stars is not shown.
"""

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session, col, func, select

from models import ProjectRating, Proposal
from models.clock import utc_now
from models.vocabulary import ProposalStatus
from services.common import bounded_int, clean_text, get_or_fail, place_tree, record_audit, snapshot
from services.errors import WrongPhase
from services.permissions import Action, Viewer, can, require

__all__ = ["MAX_STARS", "ProjectRatings", "project_ratings", "rate_project"]

MAX_STARS = 5
MAX_COMMENT = 500


def rate_project(
    session: Session, viewer: Viewer, *, proposal_id: int, stars: int, comment: str = ""
) -> int:
    proposal = get_or_fail(session, Proposal, proposal_id)
    require(viewer, Action.RATE_PROJECT, proposal.place_id, place_tree(session))
    if proposal.status != ProposalStatus.COMPLETED:
        raise WrongPhase("rating_needs_completed")
    stars = bounded_int(stars, "stars", low=1, high=MAX_STARS)
    comment = clean_text(comment, "comment", max_length=MAX_COMMENT, required=False, multiline=True)
    rating = session.exec(
        select(ProjectRating).where(
            ProjectRating.proposal_id == proposal_id,
            ProjectRating.person_id == viewer.person_id,
        )
    ).first()
    before = snapshot(rating)
    if rating is None:
        rating = ProjectRating(
            proposal_id=proposal_id,
            person_id=viewer.person_id,  # type: ignore[arg-type]
            stars=stars,
        )
    rating.stars, rating.comment, rating.rated_at = stars, comment, utc_now()
    session.add(rating)
    record_audit(
        session, viewer, "revise_rating" if before else "rate_project", rating, before=before
    )
    session.commit()
    return rating.id  # type: ignore[return-value]


@dataclass(frozen=True)
class ProjectRatings:
    """What the rating widget shows: the public count and mean, the viewer's own rating."""

    proposal_id: int
    ratings: int
    mean: Fraction | None  # 1..5; None before the first rating
    own_stars: int | None
    own_comment: str
    may_rate: bool  # completed, and the viewer a resident of its place or around it
    completed: bool


def project_ratings(session: Session, viewer: Viewer, *, proposal_id: int) -> ProjectRatings:
    proposal = get_or_fail(session, Proposal, proposal_id)
    count, total = session.exec(
        select(func.count(col(ProjectRating.id)), func.sum(ProjectRating.stars)).where(
            ProjectRating.proposal_id == proposal_id
        )
    ).one()
    own = (
        session.exec(
            select(ProjectRating).where(
                ProjectRating.proposal_id == proposal_id,
                ProjectRating.person_id == viewer.person_id,
            )
        ).first()
        if viewer.person_id is not None
        else None
    )
    completed = proposal.status == ProposalStatus.COMPLETED
    return ProjectRatings(
        proposal_id=proposal_id,
        ratings=int(count),
        mean=Fraction(int(total), int(count)) if count else None,
        own_stars=own.stars if own else None,
        own_comment=own.comment if own else "",
        may_rate=completed
        and can(viewer, Action.RATE_PROJECT, proposal.place_id, place_tree(session)),
        completed=completed,
    )
