"""Checking the books (账目校验): every chain walked, every fund's balance recomputed, the ledger
compared with the audit trail.

What a pass proves: no row of the ledger, the points or the audit log was changed, removed or
put in between since it was written, unless someone rewrote every later row of that chain too;
no fund was overdrawn at any moment and no project spent more than it was given; every entry is
in the audit trail as it was written. A rewrite of a whole chain from some row on is caught by
comparing the head with one published before it (``published``: the notice board shows the
head, printed notices carry it). See ``models.chain``.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Table
from sqlmodel import Session, col, select

from models import AuditEntry, BooksCheck, ChainHead
from models.chain import CHAINED, GENESIS, entry_hash
from models.clock import utc_now
from models.vocabulary import LedgerKind
from services.common import require_at
from services.errors import InvalidInput
from services.ledger import fund_balances
from services.permissions import Action, Viewer

# What the audit trail's snapshot of a ledger entry must agree on with the entry itself.
AUDITED_FIELDS = (
    "kind",
    "amount_fen",
    "source_fund_id",
    "destination_fund_id",
    "proposal_id",
    "reverses_entry_id",
    "occurred_on",
    "chain_hash",
)
CHAIN_NAMES = {"ledgerentry": "ledger", "pointsentry": "points", "auditentry": "audit"}
ENGLISH = {
    "hash_missing": "{chain} entry #{entry_id} has no hash: it was not written by Linli",
    "entry_altered": "{chain} entry #{entry_id} does not match its hash: changed or forged",
    "chain_broken": (
        "{chain} entry #{entry_id} does not follow #{previous_id}, the entry before it: an "
        "entry between them was removed, or this one was changed"
    ),
    "head_moved": (
        "{chain} chain ends at #{last_id} but its recorded head is #{head_id}: entries were "
        "removed from the end, or the head was edited"
    ),
    "published_head_differs": (
        "{chain} entry #{entry_id} does not carry the published hash {published}: the chain "
        "was rewritten after that head was published"
    ),
    "published_head_missing": "{chain} entry #{entry_id}, a published head, is not in the store",
    "entry_unaudited": "ledger entry #{entry_id} has no record in the audit trail",
    "entry_differs_from_audit": (
        "ledger entry #{entry_id} differs from the audit trail's record of it ({field})"
    ),
    "entry_removed": "the audit trail records ledger entry #{entry_id}, which is not in the ledger",
    "fund_overdrawn": "fund #{fund_id} held {cash_fen} fen after entry #{entry_id}",
    "fund_overcommitted": (
        "fund #{fund_id} had {available_fen} fen available after entry #{entry_id}"
    ),
    "allocation_overspent": (
        "proposal #{proposal_id} had spent {spent_fen} of {allocated_fen} fen after entry "
        "#{entry_id}"
    ),
    "reversal_invalid": "ledger entry #{entry_id} reverses #{reverses_id}, which it cannot",
    "balance_differs": (
        "fund #{fund_id}: its entries add up to {entries_in_fen} in and {entries_out_fen} out, "
        "its balance shows {shown_in_fen} in and {shown_out_fen} out"
    ),
}


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return ENGLISH[self.code].format(**self.params)


@dataclass(frozen=True)
class ChainState:
    length: int
    last_id: int | None
    head_hash: str


@dataclass(frozen=True)
class PublishedHead:
    """A head as printed on a notice: a chain, an entry number and (a prefix of) its hash."""

    chain: str
    entry_id: int
    hash_prefix: str


@dataclass(frozen=True)
class Verification:
    checked_at: datetime
    chains: dict[str, ChainState]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def ledger(self) -> ChainState:
        return self.chains["ledgerentry"]


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _walk(session: Session, name: str, problems: list[Problem]) -> Iterator[RowMapping]:
    """Yields the rows of one chain in order, noting each row whose hash fails. A failing row
    does not hide the next one: each is checked against its predecessor as stored."""
    table = _table(CHAINED[name])
    chain = CHAIN_NAMES[name]
    previous, previous_id = GENESIS, None
    query = table.select().order_by(table.c.id).execution_options(yield_per=2000)
    rows = session.connection().execute(query)
    for row in rows.mappings():
        stored = row["chain_hash"]
        if not stored:
            problems.append(Problem("hash_missing", {"chain": chain, "entry_id": row["id"]}))
        elif stored != entry_hash(previous, table, row):
            # A changed row fails against any predecessor, and so does the row after a removed
            # one: ids follow each other in a chain, so a gap tells the second case apart.
            gap = row["id"] != (previous_id or 0) + 1
            code = "chain_broken" if gap else "entry_altered"
            params = {"chain": chain, "entry_id": row["id"], "previous_id": previous_id}
            problems.append(Problem(code, params))
        previous, previous_id = stored or previous, row["id"]
        yield row


def _check_heads(
    session: Session,
    walked: dict[str, ChainState],
    published: Iterable[PublishedHead],
    hashes: dict[tuple[str, int], str],
    problems: list[Problem],
) -> None:
    stored = {head.name: head for head in session.exec(select(ChainHead))}
    for name, state in walked.items():
        head = stored.get(name)
        head_id = head.last_id if head is not None else None
        if head_id != state.last_id or (head is not None and head.head_hash != state.head_hash):
            params = {"chain": CHAIN_NAMES[name], "last_id": state.last_id, "head_id": head_id}
            problems.append(Problem("head_moved", params))
    by_chain = {chain: name for name, chain in CHAIN_NAMES.items()}
    for printed in published:
        params = {"chain": printed.chain, "entry_id": printed.entry_id}
        found = hashes.get((by_chain[printed.chain], printed.entry_id))
        if found is None:
            problems.append(Problem("published_head_missing", params))
        elif not found.startswith(printed.hash_prefix):
            problems.append(
                Problem("published_head_differs", params | {"published": printed.hash_prefix})
            )


@dataclass
class _Books:
    """The ledger replayed entry by entry, as the services decided each one."""

    cash: dict[int, int] = field(default_factory=dict)
    money_in: dict[int, int] = field(default_factory=dict)
    money_out: dict[int, int] = field(default_factory=dict)
    # per (fund, project): a project may be funded by several funds, each with its own earmark
    allocated: dict[tuple[int, int], int] = field(default_factory=dict)
    spent: dict[tuple[int, int], int] = field(default_factory=dict)
    released: dict[tuple[int, int], int] = field(default_factory=dict)  # closed projects' rest
    entries: dict[int, Mapping[Any, Any]] = field(default_factory=dict)
    reversed_ids: set[int] = field(default_factory=set)

    def earmarked(self, fund_id: int) -> int:
        return sum(
            max(0, amount - self.released.get(key, 0) - self.spent.get(key, 0))
            for key, amount in self.allocated.items()
            if key[0] == fund_id
        )

    @staticmethod
    def _add(totals: dict[tuple[int, int], int], key: tuple[int, int], amount: int) -> None:
        totals[key] = totals.get(key, 0) + amount

    def _move(self, source: int | None, destination: int | None, amount: int) -> None:
        if source is not None:
            self.cash[source] = self.cash.get(source, 0) - amount
            self.money_out[source] = self.money_out.get(source, 0) + amount
        if destination is not None:
            self.cash[destination] = self.cash.get(destination, 0) + amount
            self.money_in[destination] = self.money_in.get(destination, 0) + amount

    def apply(self, entry: Mapping[Any, Any], problems: list[Problem]) -> None:
        entry_id, kind, amount = entry["id"], entry["kind"], entry["amount_fen"]
        source, destination = entry["source_fund_id"], entry["destination_fund_id"]
        proposal = entry["proposal_id"]
        self.entries[entry_id] = entry
        touched = None if proposal is None else (source, proposal)
        if kind == LedgerKind.ALLOCATION:
            self._add(self.allocated, (source, proposal), amount)
        elif kind == LedgerKind.RELEASE:
            self._add(self.released, (source, proposal), amount)
        elif kind == LedgerKind.REVERSAL:
            touched = self._reverse(entry, problems)
        else:
            self._move(source, destination, amount)
            if kind == LedgerKind.EXPENSE and proposal is not None:
                self._add(self.spent, (source, proposal), amount)
        self._check(entry, touched, problems)

    def _reverse(self, entry: Mapping[Any, Any], problems: list[Problem]) -> tuple[int, int] | None:
        """Undoes the original; returns the (fund, project) whose earmark it changed."""
        original = self.entries.get(entry["reverses_entry_id"])
        valid = (
            original is not None
            and original["kind"] != LedgerKind.REVERSAL
            and original["id"] not in self.reversed_ids
            and original["amount_fen"] == entry["amount_fen"]
        )
        if not valid or original is None:
            params = {"entry_id": entry["id"], "reverses_id": entry["reverses_entry_id"]}
            problems.append(Problem("reversal_invalid", params))
            return None
        self.reversed_ids.add(original["id"])
        amount, proposal = original["amount_fen"], original["proposal_id"]
        key = None if proposal is None else (original["source_fund_id"], proposal)
        if original["kind"] == LedgerKind.ALLOCATION:
            self._add(self.allocated, (original["source_fund_id"], proposal), -amount)
            return key
        self._move(original["destination_fund_id"], original["source_fund_id"], amount)
        if original["kind"] == LedgerKind.EXPENSE and key is not None:
            self._add(self.spent, key, -amount)
        return key

    def _check(
        self, entry: Mapping[Any, Any], touched: tuple[int, int] | None, problems: list[Problem]
    ) -> None:
        """Money may leave a fund only while it holds it, and only money nothing else was
        promised: a project's own expense spends its earmark, anything else what is free."""
        for fund_id in {entry["source_fund_id"], entry["destination_fund_id"]} - {None}:
            cash = self.cash.get(fund_id, 0)
            if cash < 0:
                params = {"fund_id": fund_id, "cash_fen": cash, "entry_id": entry["id"]}
                problems.append(Problem("fund_overdrawn", params))
        pays_project = entry["kind"] == LedgerKind.EXPENSE and entry["proposal_id"] is not None
        source = entry["source_fund_id"]
        if source is not None and not pays_project:
            available = self.cash.get(source, 0) - self.earmarked(source)
            if available < 0:
                params = {"fund_id": source, "available_fen": available, "entry_id": entry["id"]}
                problems.append(Problem("fund_overcommitted", params))
        if touched is None:
            return
        used = self.spent.get(touched, 0) + self.released.get(touched, 0)
        if used > self.allocated.get(touched, 0):
            params = {
                "proposal_id": touched[1],
                "spent_fen": self.spent.get(touched, 0),
                "allocated_fen": self.allocated.get(touched, 0),
                "entry_id": entry["id"],
            }
            problems.append(Problem("allocation_overspent", params))


def _compare_with_audit(
    session: Session, ledger: dict[int, Mapping[Any, Any]], problems: list[Problem]
) -> None:
    recorded = {
        entity_id: after
        for entity_id, after in session.exec(
            select(AuditEntry.entity_id, AuditEntry.after).where(
                AuditEntry.entity == "ledgerentry", col(AuditEntry.after).is_not(None)
            )
        )
    }
    for entry_id, entry in ledger.items():
        after = recorded.get(entry_id)
        if after is None:
            problems.append(Problem("entry_unaudited", {"entry_id": entry_id}))
            continue
        for name in AUDITED_FIELDS:
            value = entry[name]
            shown = value.isoformat() if name == "occurred_on" else value
            if name in after and after[name] != shown:
                problems.append(
                    Problem("entry_differs_from_audit", {"entry_id": entry_id, "field": name})
                )
                break
    for entity_id in sorted(e for e in set(recorded) - set(ledger) if e is not None):
        problems.append(Problem("entry_removed", {"entry_id": entity_id}))


def _compare_balances(session: Session, books: _Books, problems: list[Problem]) -> None:
    for balance in fund_balances(session):
        params = {
            "fund_id": balance.fund_id,
            "entries_in_fen": books.money_in.get(balance.fund_id, 0),
            "entries_out_fen": books.money_out.get(balance.fund_id, 0),
            "shown_in_fen": balance.money_in_fen,
            "shown_out_fen": balance.money_out_fen,
        }
        if (params["entries_in_fen"], params["entries_out_fen"]) != (
            params["shown_in_fen"],
            params["shown_out_fen"],
        ):
            problems.append(Problem("balance_differs", params))


def check_books(session: Session, *, published: Iterable[PublishedHead] = ()) -> Verification:
    """The whole check, reading only: one pass over each chain."""
    problems: list[Problem] = []
    chains: dict[str, ChainState] = {}
    hashes: dict[tuple[str, int], str] = {}
    books = _Books()
    wanted = {(head.chain, head.entry_id) for head in published}
    for name in CHAINED:
        length, last_id, head = 0, None, GENESIS
        for row in _walk(session, name, problems):
            length, last_id, head = length + 1, row["id"], row["chain_hash"]
            if (CHAIN_NAMES[name], row["id"]) in wanted:
                hashes[(name, row["id"])] = row["chain_hash"]
            if name == "ledgerentry":
                books.apply(row, problems)
        chains[name] = ChainState(length, last_id, head)
    _check_heads(session, chains, published, hashes, problems)
    _compare_with_audit(session, books.entries, problems)
    _compare_balances(session, books, problems)
    return Verification(checked_at=utc_now(), chains=chains, problems=problems)


def verify_books(
    session: Session, viewer: Viewer | None, *, published: Iterable[str] = ()
) -> Verification:
    """Checks and records the check, so the notice board can say when the books were last
    verified and how. ``viewer`` None: the operator's command line. ``published``: heads as
    printed on notices (``ledger:49:735e4d73efa0889a``), blank lines ignored."""
    if viewer is not None:
        require_at(session, viewer, Action.VERIFY_BOOKS, None)
    heads = [parse_published_head(text) for text in published if text.strip()]
    result = check_books(session, published=heads)
    session.add(
        BooksCheck(
            checked_at=result.checked_at,
            checked_by_id=viewer.person_id if viewer is not None else None,
            ok=result.ok,
            ledger_entries=result.ledger.length,
            ledger_last_id=result.ledger.last_id,
            ledger_head=result.ledger.head_hash,
            problems=[{"code": p.code, "params": p.params} for p in result.problems[:100]],
        )
    )
    session.commit()
    return result


def parse_published_head(text: str) -> PublishedHead:
    """``ledger:123:3f2a9b1c`` (chain, entry number, at least 8 hex digits of its hash), the
    way the notice board prints it."""
    parts = text.strip().split(":")
    if len(parts) == 2:
        parts = ["ledger", *parts]
    try:
        chain, number, prefix = parts
        entry_id = int(number.lstrip("#"))
    except ValueError:
        raise InvalidInput("published_head_malformed") from None
    prefix = prefix.strip().lower().replace(" ", "")
    valid_hex = len(prefix) >= 8 and all(c in "0123456789abcdef" for c in prefix)
    if chain not in CHAIN_NAMES.values() or not valid_hex or entry_id < 1:
        raise InvalidInput("published_head_malformed")
    return PublishedHead(chain, entry_id, prefix)


@dataclass(frozen=True)
class BooksSeal:
    """What the notice board prints: the ledger's head now and the last check's outcome."""

    entries: int
    last_id: int | None
    head_hash: str
    checked_at: datetime | None
    check_ok: bool | None

    @property
    def printed(self) -> str:
        """``ledger:49:735e4d73efa0889a``: enough of the hash to pin the books (64 bits)."""
        return f"ledger:{self.last_id or 0}:{self.head_hash[:16]}"


def books_seal(session: Session) -> BooksSeal:
    head = session.get(ChainHead, "ledgerentry")
    last = session.exec(select(BooksCheck).order_by(col(BooksCheck.checked_at).desc())).first()
    return BooksSeal(
        entries=head.length if head else 0,
        last_id=head.last_id if head else None,
        head_hash=head.head_hash if head else GENESIS,
        checked_at=last.checked_at if last else None,
        check_ok=last.ok if last else None,
    )
