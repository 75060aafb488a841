"""The books in hostile hands: someone with the database (a copy, or the server's own account)
edits, forges or removes entries behind the append-only triggers' back, the way each database
lets them (SQLite: drop the triggers; PostgreSQL: ``session_replication_role = replica``).
``python -m services verify`` must then exit 1 and name the entry; on untouched books it exits
0 and prints the head.
"""

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from models import AuditEntry, ChainHead, LedgerEntry, make_engine, upgrade_database
from models.chain import GENESIS, entry_hash
from services import ledger
from services.__main__ import main
from services.accounts import viewer_for_person
from services.common import MAX_AMOUNT_FEN
from services.verify import check_books, verify_books
from tests.services.test_ledger import _selected_proposal, donate
from tests.world import World, pay_project

DAY = date(2026, 3, 1)
REPO = Path(__file__).resolve().parents[2]
LEDGER: Table = LedgerEntry.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
HEADS: Table = ChainHead.__table__  # type: ignore[attr-defined]


def keep_books(world: World) -> None:
    """Eight entries of every kind, through the services: two donations, an earmark, two
    expenses (one for the project), a transfer, a reversal and a second earmark."""
    treasurer = world.viewer("treasurer_a")
    donate(world, "5000")
    donate(world, "300", donor="Old Mr Li", is_anonymous=True)
    proposal_id = _selected_proposal(world)
    ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="2000",
        occurred_on=DAY,
    )
    pay_project(world, proposal_id, "500", invoice="INV-500")
    ledger.record_expense(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        amount="120",
        payee="Bank",
        purpose="yearly account fee",
        invoice_number="INV-120",
        occurred_on=DAY,
    )
    ledger.transfer_between_funds(
        world.session,
        treasurer,
        source_fund_id=world.fund_a,
        destination_fund_id=world.street_fund,
        amount="100",
        purpose="shared tools",
        occurred_on=DAY,
    )
    ledger.reverse_entry(
        world.session, treasurer, entry_id=2, reason="entered twice", occurred_on=DAY
    )
    ledger.allocate_to_proposal(
        world.session,
        treasurer,
        fund_id=world.fund_a,
        proposal_id=proposal_id,
        amount="400",
        occurred_on=DAY,
    )
    world.session.commit()


@contextmanager
def behind_the_triggers(engine: Engine) -> Iterator[Connection]:
    """A connection that writes as the database's owner would, triggers out of the way."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in ("ledgerentry", "auditentry"):
                for verb in ("update", "delete", "replace"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
        yield connection
        connection.commit()


@pytest.fixture
def verify(
    engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    """The operator's command, in this process, on this test's database."""
    monkeypatch.setenv("LINLI_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        status = main(["verify", *args])
        return status, capsys.readouterr().out

    return run


def head(engine: Engine) -> ChainHead:
    with Session(engine) as session:
        found = session.get(ChainHead, "ledgerentry")
        assert found is not None
        return found


def test_untouched_books_verify(
    world: World, engine: Engine, verify: Callable[..., tuple[int, str]]
) -> None:
    keep_books(world)
    status, out = verify()
    ledger_head = head(engine)
    assert (ledger_head.length, ledger_head.last_id) == (8, 8)
    assert status == 0
    assert f"ledger verified: 8 entries, head {ledger_head.head_hash}" in out.splitlines()
    status, out = verify("--published", f"ledger:8:{ledger_head.head_hash[:16]}")
    assert status == 0, out


def test_the_database_refuses_edits_itself(world: World, engine: Engine) -> None:
    """Through an ordinary connection: UPDATE, DELETE and (SQLite) INSERT OR REPLACE."""
    keep_books(world)
    statements = [
        "UPDATE ledgerentry SET amount_fen = 99999900 WHERE id = 1",
        "DELETE FROM ledgerentry WHERE id = 1",
        "UPDATE auditentry SET action = 'nothing' WHERE id = 1",
    ]
    if engine.dialect.name == "sqlite":
        columns = ", ".join(c.name for c in LEDGER.columns)
        statements += [
            f"INSERT OR REPLACE INTO ledgerentry ({columns}) "
            f"SELECT {columns.replace('amount_fen', '99999900')} FROM ledgerentry WHERE id = 1",
        ]
    for statement in statements:
        with engine.connect() as connection, pytest.raises(DatabaseError):
            connection.execute(text(statement))
            connection.commit()
    with Session(engine) as session:
        assert session.get(LedgerEntry, 1).amount_fen == 5000_00  # type: ignore[union-attr]
        assert check_books(session).ok


def _entry(connection: Connection, entry_id: int) -> dict[str, object]:
    row = connection.execute(select(LEDGER).where(LEDGER.c.id == entry_id)).mappings().one()
    return dict(row)


def change(connection: Connection) -> int:
    connection.execute(LEDGER.update().where(LEDGER.c.id == 4).values(amount_fen=50))
    return 4


def forge(connection: Connection) -> int:
    """A ninth entry that looks like the others: a copy of an expense with a new id."""
    forged = _entry(connection, 5) | {"id": 9, "purpose": "consultancy", "amount_fen": 1500_00}
    connection.execute(LEDGER.insert().values(**forged))
    return 9


def remove(connection: Connection) -> int:
    connection.execute(LEDGER.delete().where(LEDGER.c.id == 6))
    return 7  # the entry after it no longer follows its predecessor


def remove_the_last(connection: Connection) -> int:
    connection.execute(LEDGER.delete().where(LEDGER.c.id == 8))
    return 8  # the head and the audit trail still remember it


@pytest.mark.parametrize(
    "tamper", [change, forge, remove, remove_the_last], ids=lambda f: f.__name__
)
def test_tampering_is_found_and_named(
    world: World,
    engine: Engine,
    verify: Callable[..., tuple[int, str]],
    tamper: Callable[[Connection], int],
) -> None:
    keep_books(world)
    world.session.close()
    with behind_the_triggers(engine) as connection:
        named = tamper(connection)
    status, out = verify()
    assert status == 1
    first_failure = next(line for line in out.splitlines() if line.startswith("FAILED"))
    assert f"#{named}" in first_failure.replace(",", " ").replace(":", " ").split(), out


def _rechain(connection: Connection, table: Table, name: str) -> dict[int, str]:
    """The careful forger recomputes every hash of a chain and its head, as anyone who has
    read models/chain.py can; returns the new hashes."""
    previous, hashes = GENESIS, {}
    for row in connection.execute(select(table).order_by(table.c.id)).mappings().all():
        previous = hashes[row["id"]] = entry_hash(previous, table, row)
        connection.execute(
            table.update().where(table.c.id == row["id"]).values(chain_hash=previous)
        )
    connection.execute(
        HEADS.update()
        .where(HEADS.c.name == name)
        .values(head_hash=previous, last_id=max(hashes), length=len(hashes))
    )
    return hashes


def test_a_rewritten_chain_is_caught_only_by_a_published_head(
    world: World, engine: Engine, verify: Callable[..., tuple[int, str]]
) -> None:
    """What the chain does not protect against, shown: whoever can write the database and
    rewrites both chains consistently (the entry, every later hash, the audit trail's record
    of each entry and its hash, every later audit hash) passes the check on its own. The head
    printed on the notice board before the rewrite does not."""
    keep_books(world)
    printed = head(engine)
    world.session.close()
    with behind_the_triggers(engine) as connection:
        connection.execute(LEDGER.update().where(LEDGER.c.id == 4).values(amount_fen=450_00))
        hashes = _rechain(connection, LEDGER, "ledgerentry")
        records = connection.execute(
            select(AUDIT.c.id, AUDIT.c.entity_id, AUDIT.c.after).where(
                AUDIT.c.entity == "ledgerentry"
            )
        ).all()
        for audit_id, entry_id, after in records:
            after = after | {"chain_hash": hashes[entry_id]}
            if entry_id == 4:
                after["amount_fen"] = 450_00
            connection.execute(AUDIT.update().where(AUDIT.c.id == audit_id).values(after=after))
        _rechain(connection, AUDIT, "auditentry")
    status, out = verify()
    assert status == 0, out  # the limit of a chain without a published head
    status, out = verify("--published", f"ledger:{printed.last_id}:{printed.head_hash[:16]}")
    assert status == 1
    assert "ledger entry #8 does not carry the published hash" in out


def test_an_entry_written_past_the_services_is_caught_by_its_consequences(
    world: World, engine: Engine, verify: Callable[..., tuple[int, str]]
) -> None:
    """Chained (it went through the store's own hook) but never through a service: an
    expense that overdraws the fund, with no record in the audit trail."""
    keep_books(world)
    world.session.add(
        LedgerEntry(
            kind="expense",
            amount_fen=9000_00,
            source_fund_id=world.fund_a,
            counterparty="Nobody",
            purpose="cash",
            invoice_number="none",
            occurred_on=DAY,
        )
    )
    world.session.commit()
    status, out = verify()
    assert status == 1
    assert "ledger entry #9 has no record in the audit trail" in out
    assert f"fund #{world.fund_a} held" in out


def test_a_hundred_million_yuan_is_stored_and_read_back_exactly(world: World) -> None:
    """Beyond the 21,474,836.47 yuan a 32-bit column holds, up to the largest amount accepted."""
    for amount, fen in (("100000000", 100_000_000_00), ("21474836.48", 2_147_483_648)):
        entry_id = donate(world, amount)
        world.session.expire_all()
        assert world.session.get(LedgerEntry, entry_id).amount_fen == fen  # type: ignore[union-attr]
    largest = f"{MAX_AMOUNT_FEN // 100}.{MAX_AMOUNT_FEN % 100:02d}"
    entry_id = donate(world, largest)
    world.session.expire_all()
    assert world.session.get(LedgerEntry, entry_id).amount_fen == MAX_AMOUNT_FEN  # type: ignore[union-attr]
    balance = ledger.fund_balance(world.session, world.fund_a)
    assert balance.cash_fen == 100_000_000_00 + 2_147_483_648 + MAX_AMOUNT_FEN


def test_the_command_line_on_the_demo(tmp_path: Path) -> None:
    """``python -m services verify`` as an operator runs it: 0 on the demo, 1 once edited."""
    env = dict(os.environ, LINLI_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}")
    env["LINLI_ENV"] = "development"

    def run(*args: str, module: str = "services") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run(module="demo").returncode == 0
    clean = run("verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("ledger verified: ")
    database = sqlite3.connect(tmp_path / "demo.db")
    database.execute("DROP TRIGGER ledgerentry_no_update")
    database.execute("UPDATE ledgerentry SET amount_fen = amount_fen + 100 WHERE id = 12")
    database.commit()
    database.close()
    tampered = run("verify")
    assert tampered.returncode == 1
    assert "ledger entry #12 does not match its hash" in tampered.stdout


def test_an_app_role_runs_linli_but_cannot_rewrite_the_books(
    world: World, engine: Engine, verify: Callable[..., tuple[int, str]]
) -> None:
    """PostgreSQL as README's deployment sets it up: the owner migrates, the app connects as a
    role of its own, which keeps and checks the books and cannot bypass their triggers."""
    if engine.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's; on SQLite, whoever has the file has all")
    keep_books(world)
    world.session.close()
    role = f"linli_app_{uuid.uuid4().hex[:8]}"
    with engine.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.commit()
    try:
        assert main(["grant-app-role", role]) == 0
        app = make_engine(engine.url.set(username=role).render_as_string(hide_password=False))
        upgrade_database(app)  # what the app does when it starts: nothing left to migrate
        with Session(app) as session:
            treasurer = viewer_for_person(session, world.people["treasurer_a"])
            ledger.record_donation(
                session,
                treasurer,
                fund_id=world.fund_a,
                amount="50",
                donor="Neighbour",
                purpose="as the app role",
                occurred_on=DAY,
            )
            assert verify_books(session, None).ok
        for statement in (
            "UPDATE ledgerentry SET amount_fen = 1 WHERE id = 1",
            "DELETE FROM auditentry WHERE id = 1",
            "TRUNCATE pointsentry",
            "SET session_replication_role = replica",
            "ALTER TABLE ledgerentry DISABLE TRIGGER ALL",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with app.connect() as connection, pytest.raises(DatabaseError):
                connection.execute(text(statement))
        app.dispose()
        assert verify()[0] == 0
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
            connection.commit()


def test_one_funds_balance_equals_its_line_among_all_funds(world: World) -> None:
    """A money move reads its own fund's entries only; the notice board reads every fund's.
    Both ways must agree, on every fund, after entries of every kind."""
    keep_books(world)
    donate(world, "75")
    everyone = {balance.fund_id: balance for balance in ledger.fund_balances(world.session)}
    assert everyone[world.fund_a].earmarked_fen > 0 and everyone[world.street_fund].cash_fen > 0
    for fund_id, balance in everyone.items():
        assert ledger.fund_balance(world.session, fund_id) == balance
