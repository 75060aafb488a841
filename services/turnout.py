"""Turnout of a round as it stands, for the live wall screen: ballots by channel against the
households of the round's area, and the result once the chair has published it.

Everything here is public: counts, the round's name and place, and a published result. An
unpublished count is committee material, so it shows only as ``counted``. The figures are
aggregates (one ``GROUP BY`` per question), never one row object per ballot, because the
screen asks for them every few seconds while a city votes.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, col, select

from models import BudgetRound, Place, Proposal, Tally
from models.clock import utc_now
from models.vocabulary import BallotChannel
from services import workflow
from services.ballots import support, turnouts
from services.common import get_or_fail
from services.tally import WERE_ON_THE_BALLOT


@dataclass(frozen=True)
class BallotsByChannel:
    online: int = 0  # signed in and voted on a phone or computer
    paper: int = 0  # entered by a clerk from a paper ballot
    code: int = 0  # cast with a household voting code
    imported: int = 0  # brought in from a Pabulib file

    @property
    def total(self) -> int:
        return self.online + self.paper + self.code + self.imported


@dataclass(frozen=True)
class ResultBar:
    proposal_id: int
    title: str
    support: int  # ballots naming the project
    selected: bool


@dataclass(frozen=True)
class PublishedResult:
    ballots_counted: int
    budget_fen: int
    total_cost_fen: int
    published_at: datetime
    bars: tuple[ResultBar, ...]  # funded first, then by support


@dataclass(frozen=True)
class Turnout:
    round_id: int
    round_name: str
    year: int
    place: str
    phase: str
    eligible_households: int | None  # None: no household figure anywhere in the round's area
    ballots: BallotsByChannel
    counted: bool  # the committee has counted (published or not)
    result: PublishedResult | None  # only once published
    as_of: datetime

    @property
    def share(self) -> Fraction | None:
        """Ballots per eligible household (above 1 when several in a household vote)."""
        if not self.eligible_households:
            return None
        return Fraction(self.ballots.total, self.eligible_households)


def eligible_households(session: Session, place_id: int) -> int | None:
    """A place's own ``households`` figure if it has one, else the sum of its children's by the
    same rule: a community without a figure counts its compounds', a street its communities'.
    Places under it without any figure count as none."""
    rows = session.exec(select(Place.id, Place.parent_id, Place.households)).all()
    own = {place: households for place, _, households in rows}
    children: dict[int | None, list[int]] = {}
    for place, parent, _ in rows:
        children.setdefault(parent, []).append(place)  # type: ignore[arg-type]

    def count(place: int) -> int | None:
        if own[place] is not None:
            return own[place]
        known = [n for n in map(count, children.get(place, [])) if n is not None]
        return sum(known) if known else None

    return count(place_id)


def _ballots(session: Session, round_id: int) -> BallotsByChannel:
    """From the poll book (who voted, by which channel), never from the ballots."""
    counted = turnouts(session, [round_id])
    by_channel = counted[round_id].by_channel if round_id in counted else {}
    return BallotsByChannel(
        online=by_channel.get(BallotChannel.ONLINE, 0),
        paper=by_channel.get(BallotChannel.PAPER, 0),
        code=by_channel.get(BallotChannel.CODE, 0),
        imported=by_channel.get(BallotChannel.IMPORTED, 0),
    )


def _published(session: Session, budget_round: BudgetRound, tally_id: int) -> PublishedResult:
    ballots_counted, total_cost_fen, published_at = session.exec(
        select(Tally.ballots_counted, Tally.total_cost_fen, Tally.published_at).where(
            Tally.id == tally_id
        )
    ).one()
    named = support(session, budget_round).ballots
    titles = session.exec(
        select(Proposal.id, Proposal.title, Proposal.status).where(
            Proposal.round_id == budget_round.id, col(Proposal.status).in_(WERE_ON_THE_BALLOT)
        )
    ).all()
    # Once published, a proposal's status says what holds, a committee override included.
    bars = []
    for pid, title, status in titles:
        proposal_id = int(pid or 0)
        won = workflow.won(status)
        bars.append(ResultBar(proposal_id, title, named.get(proposal_id, 0), won))
    bars.sort(key=lambda bar: (not bar.selected, -bar.support, bar.proposal_id))
    return PublishedResult(
        ballots_counted=ballots_counted,
        budget_fen=budget_round.budget_fen,
        total_cost_fen=total_cost_fen,
        published_at=published_at,  # type: ignore[arg-type]
        bars=tuple(bars),
    )


def round_turnout(session: Session, *, round_id: int) -> Turnout:
    """The live screen's figures for one round, the same for every viewer (no permission
    check: nothing here is private), so one computation can serve every screen."""
    budget_round = get_or_fail(session, BudgetRound, round_id)
    place = get_or_fail(session, Place, budget_round.place_id)
    # Which counts exist and which is published, not the counts: an explanation can be large.
    tallies = session.exec(
        select(Tally.id, col(Tally.published_at).is_not(None)).where(Tally.round_id == round_id)
    ).all()
    published = next((tally_id for tally_id, is_published in tallies if is_published), None)
    return Turnout(
        round_id=round_id,
        round_name=budget_round.name,
        year=budget_round.year,
        place=place.name,
        phase=budget_round.phase,
        eligible_households=eligible_households(session, budget_round.place_id),
        ballots=_ballots(session, round_id),
        counted=bool(tallies),
        result=None if published is None else _published(session, budget_round, published),
        as_of=utc_now(),
    )
