"""Funds, their charters, the ledger, and non-monetary contributions.

The ledger is append-only (database triggers refuse UPDATE, DELETE and REPLACE, see the
migrations) and hash-chained (``models.chain``): a mistake is corrected by a ``reversal`` entry
that points at the entry it undoes. Amounts are 64-bit integers of fen.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Fund(SQLModel, table=True):
    """A book of its own (separate books per fund, one unified account), with a parent fund
    (district mother fund -> street sub-fund -> community micro-fund)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=16)
    parent_id: int | None = Field(default=None, foreign_key="fund.id")
    place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    alliance_id: int | None = Field(default=None, foreign_key="alliance.id")
    created_at: datetime = Field(default_factory=utc_now)


class FundCharter(SQLModel, table=True):
    """What a fund may buy (章程). A new version is added rather than the old one edited."""

    __table_args__ = (UniqueConstraint("fund_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    version: int = Field(default=1, ge=1)
    adopted_on: date
    allowed_categories: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    forbidden_categories: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    per_project_cap_fen: int | None = Field(default=None, ge=0, sa_type=BigInteger)
    per_community_year_cap_fen: int | None = Field(default=None, ge=0, sa_type=BigInteger)
    min_co_funding_permille: int = Field(default=0, ge=0, le=1000)
    spend_where_raised: bool = True  # 钱从小区来，就用在小区里
    # Words a budget line or a payment's purpose may not contain (瓶装水, 宴请, 礼品).
    forbidden_items: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    text: str = ""


class CharterException(SQLModel, table=True):
    """A committee's decision to let one proposal (at eligibility) or one payment request (at
    approval) through although it breaks rules of the fund's charter, with the public reason
    (shown on the notice board as a charter exception)."""

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    charter_id: int = Field(foreign_key="fundcharter.id")
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    payment_request_id: int | None = Field(default=None, foreign_key="paymentrequest.id")
    stage: str = Field(max_length=16)  # "eligibility" | "payment"
    rules: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # message keys broken
    reason: str = Field(max_length=500)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime = Field(default_factory=utc_now)


class LedgerEntry(SQLModel, table=True):
    """Money in fen moving from a source to a destination. A ``None`` fund side is outside the
    books: the donor, payer or supplier named in ``counterparty``."""

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ledger_amount_positive"),
        CheckConstraint(
            "source_fund_id IS NOT NULL OR destination_fund_id IS NOT NULL",
            name="ledger_touches_a_fund",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    source_fund_id: int | None = Field(default=None, foreign_key="fund.id", index=True)
    destination_fund_id: int | None = Field(default=None, foreign_key="fund.id", index=True)
    counterparty: str = Field(default="", max_length=200)
    counterparty_person_id: int | None = Field(default=None, foreign_key="person.id")
    is_anonymous: bool = False  # hidden from the public notice, never from the books
    donor_kind: str | None = Field(default=None, max_length=24)  # DonorKind, for donations
    # Given to the donor (JZ-2026-000123): their own gift's page opens with it.
    receipt_number: str | None = Field(default=None, max_length=20, unique=True, index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    revenue_asset_id: int | None = Field(default=None, foreign_key="revenueasset.id", index=True)
    purpose: str = Field(max_length=500)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    invoice_number: str | None = Field(default=None, max_length=60)
    receipt_attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    # One reversal per entry, in the schema: a second one is refused even if a lock is missed.
    reverses_entry_id: int | None = Field(
        default=None, foreign_key="ledgerentry.id", unique=True, index=True
    )
    occurred_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)
    chain_hash: str = Field(default="", max_length=64)  # set by models.chain on insert


class Contribution(SQLModel, table=True):
    """A non-monetary gift (skills, resources, ideas, services, labour) with an estimated value."""

    __table_args__ = (CheckConstraint("estimated_value_fen >= 0", name="contribution_value"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    contributor: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    fund_id: int | None = Field(default=None, foreign_key="fund.id")
    description: str = Field(max_length=500)
    hours: int | None = Field(default=None, ge=0)
    estimated_value_fen: int = Field(default=0, sa_type=BigInteger)
    occurred_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = Field(default_factory=utc_now)


class PaymentRequest(SQLModel, table=True):
    """A treasurer's request to pay a funded proposal's budget line (报销/付款申请), with its
    receipt. Nothing moves until another committee member approves it: the approval writes the
    expense entry (naming the same receipt, which is how the request finds its entry)."""

    __table_args__ = (CheckConstraint("amount_fen > 0", name="payment_request_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    line_item_id: int = Field(foreign_key="proposallineitem.id")
    amount_fen: int = Field(sa_type=BigInteger)
    payee: str = Field(max_length=200)
    purpose: str = Field(max_length=500)
    invoice_number: str = Field(max_length=60)
    receipt_attachment_id: int = Field(foreign_key="attachment.id", unique=True)
    occurred_on: date
    status: str = Field(default="submitted", max_length=16, index=True)
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: datetime = Field(default_factory=utc_now)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", max_length=500)  # why it was rejected
