"""The public notice board (公示): what every resident may see without signing in; and the
audit log, which only admins read and export."""

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from models import AuditEntry, BooksCheck, BudgetRound, ChainHead, Person, PollBookEntry, Tally
from services import workflow
from services.allocation import PublishedAllocation, published_allocations
from services.campaigns import CampaignProgress, FundSources, campaigns, money_by_source
from services.charters import ExceptionRow, charter_exceptions
from services.common import require_at, spreadsheet_cell
from services.ledger import FundBalance, LedgerLine, fund_balances, ledger_lines
from services.permissions import Action, Viewer
from services.proposals import list_proposals
from services.rounds import RoundRow, list_rounds
from services.tally import Override, overrides
from services.verify import BooksSeal, books_seal


@dataclass(frozen=True)
class PublishedResult:
    round_id: int
    round_name: str
    selected: list[tuple[int, str, int]]  # proposal id, title, requested fen; after overrides
    ballots_counted: int
    overrides: list[Override]  # newest first, each with its public reason


@dataclass(frozen=True)
class NoticeBoard:
    balances: list[FundBalance]
    recent: list[LedgerLine]
    proposals_by_status: dict[str, int]
    rounds: list[RoundRow]
    results: list[PublishedResult]
    seal: BooksSeal  # the ledger's head and the last check, to print on paper notices
    charter_exceptions: list[ExceptionRow]  # what the committee let through, and why
    campaigns: list[CampaignProgress] = field(default_factory=list)  # open ones first
    sources: list[FundSources] = field(default_factory=list)  # money into each fund, by source
    allocations: list[PublishedAllocation] = field(default_factory=list)  # newest year first


def notice_board(session: Session) -> NoticeBoard:
    proposals = list_proposals(session)
    titles = {p.id: (p.title, p.requested_fen) for p in proposals}
    results = []
    published = (
        select(Tally, BudgetRound.name)
        .join(BudgetRound, col(BudgetRound.id) == Tally.round_id)
        .where(col(Tally.published_at).is_not(None))
        .order_by(col(Tally.published_at).desc())
    )
    changed: dict[int, list[Override]] = defaultdict(list)
    for override in overrides(session):
        changed[override.round_id].append(override)
    statuses = {p.id: p.status for p in proposals}
    for result, name in session.exec(published):
        # The count's choice in its order, then any project an override selected since: each
        # as its status stands now.
        later = [o.proposal_id for o in reversed(changed[result.round_id])]  # oldest first
        named = dict.fromkeys([*result.selected_proposal_ids, *later])
        selected = [
            (pid, *titles[pid]) for pid in named if pid in titles and workflow.won(statuses[pid])
        ]
        results.append(
            PublishedResult(
                result.round_id, name, selected, result.ballots_counted, changed[result.round_id]
            )
        )
    return NoticeBoard(
        balances=fund_balances(session),
        recent=ledger_lines(session, limit=30),
        proposals_by_status=dict(Counter(p.status for p in proposals)),
        rounds=list_rounds(session),
        results=results,
        seal=books_seal(session),
        campaigns=campaigns(session),
        sources=money_by_source(session),
        charter_exceptions=charter_exceptions(session),
        allocations=published_allocations(session),
    )


def notice_version(session: Session) -> str:
    """Changes whenever anything on the notice board may have: every audited change and every
    ledger entry moves a chain's head, every vote adds to the poll book, every check of the
    books adds a row. A handful of index reads, so that a hundred screens can ask each few
    seconds and recompute the board only when it changed."""
    heads = session.exec(select(ChainHead.head_hash).order_by(col(ChainHead.name))).all()
    checks = session.exec(select(func.max(BooksCheck.id))).one()
    voted = session.exec(select(func.count()).select_from(PollBookEntry)).one()
    return "|".join([*heads, str(checks), str(voted)])


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: object
    actor_id: int | None
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_log(session: Session, viewer: Viewer, *, limit: int = 500) -> list[AuditLine]:
    require_at(session, viewer, Action.VIEW_AUDIT_LOG, None)
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    return [
        AuditLine(e.id, e.at, e.actor_id, e.action, e.entity, e.entity_id, e.before, e.after)  # type: ignore[arg-type]
        for e in session.exec(query)
    ]


AUDIT_COLUMNS = (
    "id",
    "at_utc",
    "actor_id",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
)


def export_audit_log(session: Session, viewer: Viewer) -> str:
    """Every entry, oldest first, as CSV (UTF-8 with a byte-order mark, so that spreadsheet
    programs on Chinese Windows read the names right). Casting a ballot writes no entry, so the
    export cannot say who voted when. A cell a spreadsheet would run as a formula (a person
    named "=HYPERLINK(...)") is written as text."""
    require_at(session, viewer, Action.VIEW_AUDIT_LOG, None)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    query = (
        select(AuditEntry, Person.display_name)
        .join(Person, col(Person.id) == AuditEntry.actor_id, isouter=True)
        .order_by(col(AuditEntry.id))
    )
    for entry, actor in session.exec(query):
        row = (
            entry.id,
            entry.at.isoformat(),
            entry.actor_id or "",
            actor or "",
            entry.action,
            entry.entity,
            entry.entity_id or "",
            json.dumps(entry.before, ensure_ascii=False) if entry.before else "",
            json.dumps(entry.after, ensure_ascii=False) if entry.after else "",
        )
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return out.getvalue()
