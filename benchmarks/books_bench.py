"""Time the books at city scale: recording money through the services one by one and from many
treasurers at once, and ``verify`` over a large ledger, on SQLite and PostgreSQL.

    python benchmarks/books_bench.py [--entries 100000] [--calls 300] [--threads 8]
                                     [--postgres postgresql+psycopg://postgres@127.0.0.1/test]

Each database is a new one (a temporary SQLite file; a PostgreSQL database created and dropped
on the given server). The large ledger is written through the store's own chaining hook, with
an audit record per entry as the services write it, in batches of 1,000 (the services would
take minutes to record 100,000 entries one request at a time, which is what --calls measures).
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import (
    AuditEntry,
    Fund,
    LedgerEntry,
    Person,
    Place,
    RoleGrant,
    make_engine,
    upgrade_database,
)
from models.vocabulary import CommitteePosition, Role
from services import ledger
from services.accounts import viewer_for_person
from services.common import snapshot
from services.errors import LinliError
from services.verify import check_books

DAY = date(2026, 3, 1)


@contextmanager
def database(kind: str, server: str) -> Iterator[Engine]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{directory}/bench.db")
            upgrade_database(engine)
            yield engine
            engine.dispose()
        return
    admin = make_engine(server)
    name = f"linli_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    upgrade_database(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def street(engine: Engine, treasurers: int, funds: int) -> tuple[list[int], list[int]]:
    """Communities with their funds, and the treasurers of the first one."""
    with Session(engine) as session:
        places = [Place(kind="community", name=f"community {n}") for n in range(funds)]
        session.add_all(places)
        session.flush()
        kept = [
            Fund(name=f"micro-fund {n}", kind="community", place_id=place.id)
            for n, place in enumerate(places)
        ]
        session.add_all(kept)
        people = [Person(display_name=f"treasurer {n}") for n in range(treasurers)]
        session.add_all(people)
        session.flush()
        for person in people:
            session.add(
                RoleGrant(
                    person_id=person.id,
                    role=Role.COMMITTEE_MEMBER,
                    position=CommitteePosition.TREASURER,
                    place_id=places[0].id,
                )
            )
        session.commit()
        return [f.id for f in kept], [p.id for p in people]  # type: ignore[misc]


def fill(engine: Engine, fund_ids: list[int], entries: int) -> float:
    """Donations and expenses, two to one, spread over the funds, each with its audit record;
    returns seconds."""
    start = time.perf_counter()
    with Session(engine) as session:
        for first in range(0, entries, 1000):
            rows = []
            for number in range(first, min(first + 1000, entries)):
                expense = number % 3 == 2
                fund_id = fund_ids[(number // 3) % len(fund_ids)]  # two gifts, then a payment
                rows.append(
                    LedgerEntry(
                        kind="expense" if expense else "donation",
                        amount_fen=5_000 if expense else 10_000,
                        source_fund_id=fund_id if expense else None,
                        destination_fund_id=None if expense else fund_id,
                        counterparty=f"household {number}",
                        purpose="city-scale benchmark",
                        invoice_number=f"INV-{number}" if expense else None,
                        occurred_on=DAY,
                    )
                )
            session.add_all(rows)
            session.flush()
            session.add_all(
                AuditEntry(
                    action="bench", entity="ledgerentry", entity_id=row.id, after=snapshot(row)
                )
                for row in rows
            )
            session.commit()
    return time.perf_counter() - start


def one_by_one(engine: Engine, fund_id: int, treasurer: int, calls: int) -> list[float]:
    """A treasurer's donations and expenses through the services, each its own request."""
    seconds = []
    for number in range(calls):
        with Session(engine) as session:
            viewer = viewer_for_person(session, treasurer)
            start = time.perf_counter()
            if number % 2:
                ledger.record_expense(
                    session,
                    viewer,
                    fund_id=fund_id,
                    amount="1",
                    payee="shop",
                    purpose="bench",
                    invoice_number=f"B-{number}",
                    occurred_on=DAY,
                )
            else:
                ledger.record_donation(
                    session,
                    viewer,
                    fund_id=fund_id,
                    amount="2",
                    donor="neighbour",
                    purpose="bench",
                    occurred_on=DAY,
                )
            seconds.append(time.perf_counter() - start)
    return seconds


def at_once(engine: Engine, fund_id: int, treasurers: list[int], calls: int) -> tuple[float, int]:
    """Every treasurer records expenses as fast as the store lets them; returns the wall time
    and the number paid."""
    paid = [0]
    lock = threading.Lock()

    def work(person: int) -> None:
        for number in range(calls // len(treasurers)):
            with Session(engine) as session:
                try:
                    ledger.record_expense(
                        session,
                        viewer_for_person(session, person),
                        fund_id=fund_id,
                        amount="1",
                        payee="shop",
                        purpose="bench",
                        invoice_number=f"T-{person}-{number}",
                        occurred_on=DAY,
                    )
                except LinliError:
                    continue
                with lock:
                    paid[0] += 1

    threads = [threading.Thread(target=work, args=(person,)) for person in treasurers]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, paid[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--funds", type=int, default=100, help="the entries are spread over")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"{'database':<11} {'figure':<56} {'value':>12}")
    for kind in args.databases.split(","):
        with database(kind, args.postgres) as engine:
            fund_ids, treasurers = street(engine, args.threads, args.funds)
            fund_id = fund_ids[0]
            filled = fill(engine, fund_ids, args.entries)
            if kind == "postgresql":  # what autovacuum does soon after a bulk load
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("ANALYZE"))
            figure = f"write {args.entries:,} chained entries + audit ({args.funds} funds)"
            print(f"{kind:<11} {figure:<56} {filled:>10.1f} s")
            with Session(engine) as session:
                start = time.perf_counter()
                result = check_books(session)
                seconds = time.perf_counter() - start
            assert result.ok, [str(problem) for problem in result.problems][:5]
            figure = f"verify {result.ledger.length:,} ledger entries"
            print(f"{kind:<11} {figure:<56} {seconds:>10.2f} s")
            latencies = sorted(one_by_one(engine, fund_id, treasurers[0], args.calls))
            p50 = statistics.median(latencies) * 1000
            p95 = latencies[int(len(latencies) * 0.95)] * 1000
            print(f"{kind:<11} {'one request at a time: p50 / p95':<56} {p50:>5.1f} / {p95:.1f} ms")
            wall, paid = at_once(engine, fund_id, treasurers, args.calls)
            rate = paid / wall
            label = f"{len(treasurers)} treasurers at once: expenses per second"
            print(f"{kind:<11} {label:<56} {rate:>10.0f} /s")
            with Session(engine) as session:
                assert check_books(session).ok
    return 0


if __name__ == "__main__":
    sys.exit(main())
