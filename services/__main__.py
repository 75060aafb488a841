"""Command line for operators: ``python -m services upgrade`` brings the database named by
LINLI_DATABASE_URL (default: the SQLite file under data/) to the newest schema;
``python -m services demo`` does that and loads the demo street into an empty store."""

import argparse
import sys

from sqlmodel import Session

from models import database_url, make_engine, upgrade_database
from services.accounts import DEMO_PASSWORD
from services.demo import load_demo
from services.errors import LinliError
from services.settings import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services", description=__doc__)
    parser.add_argument("command", choices=("upgrade", "demo"))
    args = parser.parse_args(argv)
    settings()  # refuses a weak ballot secret outside development
    url = database_url()
    engine = make_engine(url)
    upgrade_database(engine)
    print(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")
    if args.command == "demo":
        with Session(engine) as session:
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
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
