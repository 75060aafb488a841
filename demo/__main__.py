"""``python -m demo``: brings the store named by LINLI_DATABASE_URL to the newest schema and
loads the demo street into it, if it is empty (development only)."""

import sys

from sqlmodel import Session

from demo.street import load_demo
from models import database_url, make_engine, upgrade_database
from services.accounts import DEMO_PASSWORD
from services.errors import LinliError
from services.settings import settings


def main() -> int:
    settings()  # refuses a weak ballot secret outside development
    engine = make_engine(database_url())
    upgrade_database(engine)
    print(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")
    with Session(engine) as session:
        try:
            summary = load_demo(session)
        except LinliError as error:
            needs_dev = error.code == "demo_needs_development"
            reason = "LINLI_ENV=development" if needs_dev else "an empty store"
            print(f"not loaded: {error.code} (the demo needs {reason})", file=sys.stderr)
            return 2
        finally:
            engine.dispose()
    print(
        f"demo loaded: {summary.people} people, {summary.proposals} proposals, "
        f"{summary.ballots} ballots; accounts admin, chair, secretary, treasurer, clerk, "
        f"reviewer, reviewer2, resident; password {DEMO_PASSWORD}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
