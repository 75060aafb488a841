"""Proposals (提案) with their budget, co-funding plan, maintenance plan, history and files."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="budgetround.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    proposer_id: int | None = Field(default=None, foreign_key="person.id")
    proposer_group: str = Field(default="", max_length=120)
    title: str = Field(max_length=120)
    summary: str = Field(default="", max_length=4000)
    category: str = Field(max_length=24)
    status: str = Field(default="draft", max_length=16, index=True)
    maintenance_plan: str = Field(default="", max_length=2000)
    maintainer: str = Field(default="", max_length=120)
    maintenance_years: int = Field(default=0, ge=0)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class ProposalLineItem(SQLModel, table=True):
    """One budget line; the proposal's cost is the sum of quantity x unit price."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="line_item_quantity"),
        CheckConstraint("unit_price_fen >= 0", name="line_item_price"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int = Field(default=0, ge=0)
    description: str = Field(max_length=200)
    category: str = Field(max_length=24)
    quantity: int = Field(default=1, sa_type=BigInteger)
    unit_price_fen: int = Field(sa_type=BigInteger)


class CoFundingPledge(SQLModel, table=True):
    """Other money the proposal expects beside the seed fund (the leverage in reviews)."""

    __table_args__ = (CheckConstraint("amount_fen > 0", name="pledge_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    source_kind: str = Field(max_length=24)
    source_name: str = Field(max_length=120)
    amount_fen: int = Field(sa_type=BigInteger)
    is_confirmed: bool = False


class ProposalStatusChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")
    changed_at: datetime = Field(default_factory=utc_now)


class ProposalSupport(SQLModel, table=True):
    """A resident's public support before the vote (not a ballot)."""

    __table_args__ = (UniqueConstraint("proposal_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utc_now)


class Attachment(SQLModel, table=True):
    """A stored file (photo, invoice, document). The bytes live outside anything served
    directly, under ``stored_name``; the user's file name is kept only as a label."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    stored_name: str = Field(max_length=80, unique=True)
    original_name: str = Field(max_length=200)
    content_type: str = Field(max_length=60)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id")
    uploaded_at: datetime = Field(default_factory=utc_now)
