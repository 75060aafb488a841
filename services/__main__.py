"""Command line for operators, on the database named by LINLI_DATABASE_URL (default: the
SQLite file under data/):

- ``python -m services upgrade`` brings it to the newest schema;
- ``python -m services demo`` does that and loads the demo street into an empty store;
- ``python -m services verify [--published ledger:N:HASH ...]`` walks every hash chain,
  recomputes every fund's balance and compares the ledger with the audit trail; it exits 0 when
  everything holds and 1, naming each entry that fails, when something does not;
- ``python -m services grant-app-role ROLE`` (PostgreSQL, as the tables' owner, after each
  upgrade) lets ROLE run the app without the power to rewrite the books.
"""

import argparse
import sys

from sqlalchemy import Engine, text
from sqlmodel import Session

from models import database_url, make_engine, upgrade_database
from models.engine import restricted_role_grants
from services.accounts import DEMO_PASSWORD
from services.demo import load_demo
from services.errors import LinliError
from services.settings import settings
from services.verify import verify_books


def _demo(session: Session) -> int:
    try:
        summary = load_demo(session)
    except LinliError as error:
        needs_dev = error.code == "demo_needs_development"
        reason = "LINLI_ENV=development" if needs_dev else "an empty store"
        print(f"not loaded: {error.code} (the demo needs {reason})", file=sys.stderr)
        return 2
    print(
        f"demo loaded: {summary.people} people, {summary.proposals} proposals, "
        f"{summary.ballots} ballots; accounts admin, chair, secretary, treasurer, clerk, "
        f"reviewer, resident; password {DEMO_PASSWORD}"
    )
    return 0


def _verify(session: Session, published: list[str]) -> int:
    try:
        result = verify_books(session, None, published=published)
    except LinliError:
        print("a published head reads ledger:ENTRY:HASH (8 or more hex digits)", file=sys.stderr)
        return 2
    for problem in result.problems:
        print(f"FAILED: {problem}")
    if not result.ok:
        print(f"ledger NOT verified: {len(result.problems)} problem(s)")
        return 1
    ledger, audit = result.ledger, result.chains["auditentry"]
    print(f"ledger verified: {ledger.length} entries, head {ledger.head_hash}")
    print(f"audit trail verified: {audit.length} entries, head {audit.head_hash}")
    return 0


def _grant_app_role(engine: Engine, role: str | None) -> int:
    if engine.dialect.name != "postgresql" or not role:
        print("grant-app-role needs PostgreSQL and a role name", file=sys.stderr)
        return 2
    with engine.begin() as connection:
        for statement in restricted_role_grants(engine, role):
            connection.execute(text(statement))
    print(f"role {role} may run Linli; it cannot edit or remove entries of the chained tables")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=("upgrade", "demo", "verify", "grant-app-role"))
    parser.add_argument("role", nargs="?", help="with grant-app-role: the app's database role")
    parser.add_argument(
        "--published",
        action="append",
        default=[],
        metavar="ledger:N:HASH",
        help="with verify: a head printed on a notice, which the chain must still carry",
    )
    args = parser.parse_args(argv)
    settings()  # refuses a weak ballot secret outside development
    engine = make_engine(database_url())
    upgrade_database(engine)
    if args.command in ("upgrade", "demo"):
        print(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")
    with Session(engine) as session:
        if args.command == "demo":
            status = _demo(session)
        elif args.command == "verify":
            status = _verify(session, args.published)
        elif args.command == "grant-app-role":
            status = _grant_app_role(engine, args.role)
        else:
            status = 0
    engine.dispose()
    return status


if __name__ == "__main__":
    sys.exit(main())
