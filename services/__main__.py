"""Command line for operators, on the database named by LINLI_DATABASE_URL (default: the
SQLite file under data/):

- ``python -m services upgrade`` brings it to the newest schema;
- ``python -m services verify [--published ledger:N:HASH ...]`` walks every hash chain,
  recomputes every fund's balance and compares the ledger with the audit trail; it exits 0 when
  everything holds and 1, naming each entry that fails, when something does not;
- ``python -m services grant-app-role ROLE`` (PostgreSQL, as the tables' owner, after each
  upgrade) lets ROLE run the app without the power to rewrite the books;
- ``python -m services import-pb FILE.pb --place PLACE_ID --fund FUND_ID [--rule R]
  [--tie-break T]`` imports an election from a Pabulib file as a round in the counting phase,
  for the committee to count, and prints the new round's id.
"""

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

from models import database_url, make_engine, upgrade_database
from models.engine import restricted_role_grants
from services.errors import LinliError
from services.imports import import_election
from services.settings import settings
from services.verify import verify_books
from voting import APP_RULES, TIE_BREAKS


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
    points = result.chains["pointsentry"]
    print(f"ledger verified: {ledger.length} entries, head {ledger.head_hash}")
    print(f"points verified: {points.length} entries, head {points.head_hash}")
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


def _import(session: Session, args: argparse.Namespace) -> int:
    """As the operator: the service's refusals print their code and details, not a traceback."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        imported = import_election(
            session,
            None,
            data=data,
            filename=path.name,
            place_id=args.place,
            fund_id=args.fund,
            rule=args.rule,
            tie_break=args.tie_break,
        )
    except LinliError as error:
        details = ", ".join(f"{key}={value}" for key, value in error.params.items())
        print(f"not imported: {error.code}" + (f" ({details})" if details else ""), file=sys.stderr)
        return 2
    print(f"round {imported.round_id} imported: {imported.name}")
    print(
        f"{imported.proposals} proposals, {imported.ballots} ballots, {imported.marks} marks; "
        f"{imported.ballot_kind} ballots, in the counting phase: count them on the results screen"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="bring the store to the newest schema")
    verify = commands.add_parser("verify", help="check every chain and balance")
    verify.add_argument(
        "--published",
        action="append",
        default=[],
        metavar="ledger:N:HASH",
        help="a head printed on a notice, which the chain must still carry",
    )
    grant = commands.add_parser("grant-app-role", help="let a role run the app (PostgreSQL)")
    grant.add_argument("role", nargs="?", help="the app's database role")
    pb = commands.add_parser("import-pb", help="import an election from a Pabulib file")
    pb.add_argument("file", help="a Pabulib .pb file")
    pb.add_argument("--place", type=int, required=True, help="the round's place (id)")
    pb.add_argument("--fund", type=int, required=True, help="the fund the round spends (id)")
    pb.add_argument("--rule", default="mes+greedy", choices=list(APP_RULES))
    pb.add_argument("--tie-break", default="id", choices=list(TIE_BREAKS))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings()  # refuses a weak ballot secret outside development
    engine = make_engine(database_url())
    upgrade_database(engine)
    if args.command == "upgrade":
        print(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")
    with Session(engine) as session:
        if args.command == "verify":
            status = _verify(session, args.published)
        elif args.command == "grant-app-role":
            status = _grant_app_role(engine, args.role)
        elif args.command == "import-pb":
            status = _import(session, args)
        else:
            status = 0
    engine.dispose()
    return status


if __name__ == "__main__":
    sys.exit(main())
