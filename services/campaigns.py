"""Crowdfunding campaigns (众筹), revenue-earning assets (自我造血) and a fund's money by source.

A campaign collects gifts for one proposal or one need, towards a target, until its deadline
(or until the committee closes it early); each gift is a designated donation on the ledger
(``services.ledger.record_donation`` with the campaign), so the campaign's progress is read from
the books and can never disagree with them. A revenue asset (parking, a canteen, container
shops, rent) is registered once; each income is a revenue entry naming it.

Money by source sums what came into a fund, entry by entry, leaving out entries that were
reversed: grants and seed money passed down the fund hierarchy are the government's; gifts
count for their donor's kind; income of revenue assets (and other revenue) is the fund's own.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlmodel import Session, col, func, select

from models import Campaign, Fund, LedgerEntry, Need, Place, Proposal, RevenueAsset
from models.clock import today, utc_now
from models.vocabulary import CampaignStatus, DonorKind, LedgerKind, MoneySource, RevenueAssetKind
from services.common import (
    bounded_int,
    choice,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    parse_yuan,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput
from services.ledger import append_entry, not_reversed
from services.permissions import Action, Viewer
from services.workflow import campaign_takes_gifts

__all__ = [
    "AssetRow",
    "CampaignProgress",
    "FundSources",
    "campaigns",
    "close_campaign",
    "money_by_source",
    "open_campaign",
    "record_revenue",
    "register_revenue_asset",
    "revenue_register",
]

DONOR_SOURCE = {
    DonorKind.RESIDENT: MoneySource.RESIDENTS,
    DonorKind.CO_BUILDING_UNIT: MoneySource.UNITS,
    DonorKind.CHARITY: MoneySource.CHARITY,
    DonorKind.COMPANY: MoneySource.COMPANIES,
}


def open_campaign(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    title: str,
    description: str,
    target: str,
    deadline: date,
    proposal_id: int | None = None,
    need_id: int | None = None,
) -> int:
    """For one proposal or one need of the fund's area, with a target and a deadline to come."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.MANAGE_CAMPAIGN, fund.place_id)
    if (proposal_id is None) == (need_id is None):
        raise InvalidInput("campaign_needs_one_aim")
    aim: Proposal | Need = (
        get_or_fail(session, Proposal, proposal_id)
        if proposal_id is not None
        else get_or_fail(session, Need, need_id)
    )
    if fund.place_id is not None and not place_tree(session).covers(fund.place_id, aim.place_id):
        raise InvalidInput("campaign_outside_fund")
    if not isinstance(deadline, date) or deadline < today():
        raise InvalidInput("field_invalid", field="deadline")
    campaign = Campaign(
        fund_id=fund_id,
        place_id=aim.place_id,
        title=clean_text(title, "title", max_length=160),
        description=clean_text(
            description, "description", max_length=2000, required=False, multiline=True
        ),
        target_fen=parse_yuan(target, "target"),
        deadline=deadline,
        proposal_id=proposal_id,
        need_id=need_id,
        opened_by_id=viewer.person_id,
    )
    session.add(campaign)
    record_audit(session, viewer, "open_campaign", campaign)
    session.commit()
    return id_of(campaign)


def close_campaign(session: Session, viewer: Viewer, *, campaign_id: int) -> None:
    """Ends a campaign before its deadline (target reached, or given up): no more gifts."""
    campaign = get_or_fail(session, Campaign, campaign_id)
    fund = get_or_fail(session, Fund, campaign.fund_id)
    require_at(session, viewer, Action.MANAGE_CAMPAIGN, fund.place_id)
    lock_for_change(session)
    session.refresh(campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict("campaign_already_closed")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = utc_now()
    session.add(campaign)
    record_audit(session, viewer, "close_campaign", campaign)
    session.commit()


@dataclass(frozen=True)
class CampaignProgress:
    id: int
    fund_id: int
    title: str
    description: str
    place: str
    aim: str  # the proposal's or the need's title
    target_fen: int
    raised_fen: int
    gifts: int
    deadline: date
    state: str  # "open", "ended" (deadline passed) or "closed" (by the committee)
    days_left: int

    @property
    def share(self) -> float:
        """For the progress bar only: capped at a full bar."""
        return min(self.raised_fen / self.target_fen, 1.0)


def campaigns(session: Session, *, fund_id: int | None = None) -> list[CampaignProgress]:
    """Public: every campaign with what it raised (gifts not reversed), open ones first."""
    query = select(Campaign).order_by(col(Campaign.deadline), col(Campaign.id))
    if fund_id is not None:
        query = query.where(Campaign.fund_id == fund_id)
    rows = list(session.exec(query))
    if not rows:
        return []
    raised = {
        cid: (int(total), int(count))
        for cid, total, count in session.exec(
            select(LedgerEntry.campaign_id, func.sum(LedgerEntry.amount_fen), func.count())
            .where(
                col(LedgerEntry.campaign_id).in_([c.id for c in rows]),
                not_reversed(),
                LedgerEntry.kind == LedgerKind.DONATION,
            )
            .group_by(col(LedgerEntry.campaign_id))
        )
    }
    places = dict(session.exec(select(Place.id, Place.name)).all())
    now = today()
    progress = []
    for c in rows:
        aim = (
            session.get(Proposal, c.proposal_id) if c.proposal_id else session.get(Need, c.need_id)
        )
        if c.status == CampaignStatus.CLOSED:
            state = "closed"
        else:
            state = "open" if campaign_takes_gifts(c.status, c.deadline, now) else "ended"
        total, count = raised.get(id_of(c), (0, 0))
        progress.append(
            CampaignProgress(
                id=id_of(c),
                fund_id=c.fund_id,
                title=c.title,
                description=c.description,
                place=places.get(c.place_id, ""),
                aim=aim.title if aim is not None else "",
                target_fen=c.target_fen,
                raised_fen=total,
                gifts=count,
                deadline=c.deadline,
                state=state,
                days_left=max((c.deadline - now).days, 0),
            )
        )
    return sorted(progress, key=lambda p: p.state != "open")


def register_revenue_asset(
    session: Session, viewer: Viewer, *, fund_id: int, name: str, kind: str, description: str
) -> int:
    """Registered once (shop rents, parking fees, a hall let out), so that every income entry
    names the asset it came from and the fund can show how much it earns itself (自我造血)."""
    fund = get_or_fail(session, Fund, fund_id)
    require_at(session, viewer, Action.RECORD_REVENUE, fund.place_id)
    asset = RevenueAsset(
        fund_id=fund_id,
        name=clean_text(name, "name", max_length=120),
        kind=choice(kind, RevenueAssetKind, "kind"),
        description=clean_text(description, "description", max_length=500, required=False),
        registered_by_id=viewer.person_id,
    )
    session.add(asset)
    record_audit(session, viewer, "register_revenue_asset", asset)
    session.commit()
    return id_of(asset)


def record_revenue(
    session: Session,
    viewer: Viewer,
    *,
    asset_id: int,
    amount: str,
    purpose: str,
    occurred_on: date,
) -> int:
    """An asset's income (a month's parking fees, a quarter's shop rents) into its fund."""
    asset = get_or_fail(session, RevenueAsset, asset_id)
    fund = get_or_fail(session, Fund, asset.fund_id)
    require_at(session, viewer, Action.RECORD_REVENUE, fund.place_id)
    entry = LedgerEntry(
        kind=LedgerKind.REVENUE,
        amount_fen=parse_yuan(amount),
        destination_fund_id=asset.fund_id,
        counterparty=asset.name,
        revenue_asset_id=asset_id,
        purpose=clean_text(purpose, "purpose", max_length=500),
        occurred_on=occurred_on,
        recorded_by_id=viewer.person_id,
    )
    return append_entry(session, viewer, entry, "record_revenue")


@dataclass(frozen=True)
class AssetRow:
    id: int
    name: str
    kind: str
    description: str
    income_fen: int  # every income entry not reversed
    entries: int


def revenue_register(session: Session, *, fund_id: int) -> list[AssetRow]:
    """Public: the fund's assets and what each has earned."""
    assets = list(
        session.exec(
            select(RevenueAsset)
            .where(RevenueAsset.fund_id == fund_id)
            .order_by(col(RevenueAsset.id))
        )
    )
    income = {
        aid: (int(total), int(count))
        for aid, total, count in session.exec(
            select(LedgerEntry.revenue_asset_id, func.sum(LedgerEntry.amount_fen), func.count())
            .where(
                col(LedgerEntry.revenue_asset_id).in_([a.id for a in assets]),
                not_reversed(),
            )
            .group_by(col(LedgerEntry.revenue_asset_id))
        )
    }
    return [
        AssetRow(id_of(a), a.name, a.kind, a.description, *income.get(id_of(a), (0, 0)))
        for a in assets
    ]


@dataclass(frozen=True)
class FundSources:
    fund_id: int
    name: str
    by_source: dict[str, int]  # MoneySource -> fen, only the sources that gave

    @property
    def total_fen(self) -> int:
        return sum(self.by_source.values())

    @property
    def non_government_fen(self) -> int:
        return self.total_fen - self.by_source.get(MoneySource.GOVERNMENT, 0)

    @property
    def non_government_share(self) -> Fraction | None:
        """Exact; None for a fund that has received nothing yet."""
        return Fraction(self.non_government_fen, self.total_fen) if self.total_fen else None


def _source(kind: str, donor_kind: str | None) -> MoneySource:
    if kind in (LedgerKind.GRANT, LedgerKind.TRANSFER):
        return MoneySource.GOVERNMENT
    if kind == LedgerKind.REVENUE:
        return MoneySource.REVENUE
    if donor_kind is None:
        return MoneySource.UNSPECIFIED
    return DONOR_SOURCE[DonorKind(donor_kind)]


def money_by_source(
    session: Session, *, fund_id: int | None = None, year: int | None = None
) -> list[FundSources]:
    """Public: per fund (or for one), the money that came in, by where it came from (in one
    year of ``occurred_on`` if asked: the year-end indicators)."""
    if year is not None:
        year = bounded_int(year, "year", low=2000, high=2200)
    funds_query = select(Fund.id, Fund.name).order_by(col(Fund.id))
    if fund_id is not None:
        funds_query = funds_query.where(Fund.id == fund_id)
    funds = [(fid, name) for fid, name in session.exec(funds_query) if fid is not None]
    query = (
        select(
            LedgerEntry.destination_fund_id,
            LedgerEntry.kind,
            LedgerEntry.donor_kind,
            func.sum(LedgerEntry.amount_fen),
        )
        .where(
            col(LedgerEntry.destination_fund_id).in_([fid for fid, _ in funds]),
            col(LedgerEntry.kind).in_(
                [LedgerKind.GRANT, LedgerKind.TRANSFER, LedgerKind.DONATION, LedgerKind.REVENUE]
            ),
            not_reversed(),
            *(
                ()
                if year is None
                else (
                    col(LedgerEntry.occurred_on) >= date(year, 1, 1),
                    col(LedgerEntry.occurred_on) <= date(year, 12, 31),
                )
            ),
        )
        .group_by(
            col(LedgerEntry.destination_fund_id),
            col(LedgerEntry.kind),
            col(LedgerEntry.donor_kind),
        )
    )
    sums: dict[int, dict[str, int]] = {}
    for fid, kind, donor_kind, total in session.exec(query):
        source = _source(kind, donor_kind).value
        by_fund = sums.setdefault(fid or 0, {})
        by_fund[source] = by_fund.get(source, 0) + int(total)
    return [
        FundSources(
            fid,
            name,
            {s.value: sums[fid][s.value] for s in MoneySource if sums.get(fid, {}).get(s.value)},
        )
        for fid, name in funds
    ]
