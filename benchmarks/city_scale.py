"""A city-wide round on one machine: the figures of issue 9, printed.

    python benchmarks/city_scale.py [--file Poland_Wroclaw_2022.pb] [--ballots 100000]
        [--workers 8] [--databases sqlite,postgresql] [--sessions 150] [--hold 30]

For each database it builds the store through the real services: the demo street, then a
real Pabulib election imported into one of its communities as a round (``import_election``),
then more ballots cast through ``cast_ballot`` by --workers processes until the round holds
--ballots ballots. Then it prints:

- the casting rate (ballots a second, all workers together);
- counting the round through the app (``count_votes``) beside the command line on the same
  ballots (``python -m voting tally`` on the round's exported file): seconds and peak memory
  of each, in a process of its own;
- the ballots download (``export_ballots``);
- the render time of every page for every role (AppTest, the page function alone);
- live sessions: ``streamlit run`` on the store and ``shared/tools/st_load.py`` opening
  --sessions tabs of the notice board and of the round's live screen, each refreshing by
  itself: first render and refresh latencies (p50/p95), and the server's CPU and memory.

Needs the shared Pabulib files (LINLI_PABULIB_DIR, default ../shared/pabulib) and, for
PostgreSQL, the server at 127.0.0.1:5432. Takes several minutes per database.
"""

import argparse
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlmodel import Session, select
from streamlit import config
from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from models import Account, BudgetRound, Fund, Person, Place, RoleGrant, make_engine
from models.vocabulary import Role
from services import rounds, tally
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.imports import import_election
from services.permissions import Grant, Viewer

REPO = Path(__file__).resolve().parents[1]
PABULIB = Path(os.environ.get("LINLI_PABULIB_DIR", REPO.parent / "shared" / "pabulib"))
ST_LOAD = Path(os.environ.get("LINLI_ST_LOAD", REPO.parent / "shared" / "tools" / "st_load.py"))
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGES = ("notice", "needs", "proposals", "meetings", "vote", "tally", "ledger", "review", "admin")
ROLES = ("anonymous", "resident", "chair", "treasurer", "clerk", "reviewer", "admin")


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'city.db'}"
        return
    admin = make_engine(POSTGRES)
    name = f"linli_city_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _env(url: str) -> dict[str, str]:
    return dict(os.environ, LINLI_DATABASE_URL=url, LINLI_ENV="development")


def build(url: str, path: Path) -> tuple[int, int, list[int], int]:
    """The demo street, then the election imported into 平阳社区 as a round still voting."""
    subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=REPO,
        env=_env(url),
        check=True,
        capture_output=True,
    )
    engine = make_engine(url)
    with Session(engine) as session:
        community = session.exec(select(Place.id).where(Place.name == "平阳社区")).one()
        fund = session.exec(select(Fund.id).where(Fund.place_id == community)).first()
        assert community is not None and fund is not None
        start = time.perf_counter()
        imported = import_election(
            session,
            None,
            data=path.read_bytes(),
            filename=path.name,
            place_id=community,
            fund_id=fund,
            rule="mes+greedy",
        )
        seconds = time.perf_counter() - start
    # An imported round's vote is over (it lands in counting). Here its ballots stand for the
    # first part of a vote still open, so the round goes back to voting: store surgery, which
    # only a benchmark does.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE budgetround SET phase = 'voting' WHERE id = :id"),
            {"id": imported.round_id},
        )
    if url.startswith("postgresql"):  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    print(f"  import {path.name}: {imported.ballots:,} ballots in {seconds:.1f} s")
    on_ballot = sorted(imported.proposal_ids.values())
    return imported.round_id, community, on_ballot, imported.ballots


def _residents(url: str, community: int, count: int) -> tuple[list[int], int]:
    """Neighbours with a resident's grant on one compound of the community, to cast through
    the services."""
    engine = make_engine(url)
    with Session(engine) as session:
        compound = session.exec(select(Place.id).where(Place.parent_id == community)).first()
        assert compound is not None
        people = [Person(display_name=f"居民{n}", home_place_id=compound) for n in range(count)]
        session.add_all(people)
        session.flush()
        ids = [p.id for p in people]
        session.add_all(
            RoleGrant(person_id=person_id, role=Role.RESIDENT, place_id=compound)
            for person_id in ids
        )
        session.commit()
    engine.dispose()
    return [person_id for person_id in ids if person_id is not None], compound


def _cast_share(job: tuple[str, int, int, list[int], list[int], int]) -> int:
    """One worker: its share of the residents vote, one request each."""
    url, round_id, compound, people, on_ballot, most = job
    engine = make_engine(url)
    for person_id in people:
        viewer = Viewer(person_id, grants=(Grant(Role.RESIDENT, None, frozenset({compound})),))
        picks = tuple(on_ballot[(person_id * 7 + k * 13) % len(on_ballot)] for k in range(most))
        with Session(engine) as session:
            rounds.cast_ballot(
                session, viewer, round_id=round_id, ballot=BallotChoice(tuple(dict.fromkeys(picks)))
            )
    engine.dispose()
    return len(people)


def cast(
    url: str, round_id: int, community: int, on_ballot: list[int], count: int, workers: int
) -> float:
    people, compound = _residents(url, community, count)
    engine = make_engine(url)
    with Session(engine) as session:
        limit = session.exec(select(BudgetRound.max_length).where(BudgetRound.id == round_id)).one()
    engine.dispose()
    most = min(3, limit or 3)  # a choose-one city ballot stays one
    shares = [people[k::workers] for k in range(workers)]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        jobs = [(url, round_id, compound, share, on_ballot, most) for share in shares]
        done = sum(pool.map(_cast_share, jobs))
    return done / (time.perf_counter() - start)


COUNT_IN_APP = """
import sys, time
from sqlmodel import Session
from models import make_engine
from services import tally
from services.accounts import viewer_for_person
engine = make_engine(sys.argv[1])
with Session(engine) as session:
    chair = viewer_for_person(session, int(sys.argv[3]))
def high_water():  # VmHWM: this process's own peak (ru_maxrss keeps the forking parent's)
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])
before = high_water()
with Session(engine) as session:
    start = time.perf_counter()
    tally.count_votes(session, chair, round_id=int(sys.argv[2]))
    seconds = time.perf_counter() - start
print(seconds, high_water(), before)
"""

COUNT_WITH_CLI = """
import sys, time
from voting.cli import main
def high_water():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])
before = high_water()
start = time.perf_counter()
main(["tally", sys.argv[1], "--rule", "mes+greedy"])
seconds = time.perf_counter() - start
print(seconds, high_water(), before, file=sys.stderr)
"""


def _person(url: str, username: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        person_id = session.exec(select(Account.person_id).where(Account.subject == username)).one()
    engine.dispose()
    return person_id


def close_vote(url: str, round_id: int) -> None:
    """The chair closes the vote: every sealed ballot is dealt out again under new ids."""
    engine = make_engine(url)
    with Session(engine) as session:
        viewer = viewer_for_person(session, _person(url, "chair"))
        start = time.perf_counter()
        rounds.advance_round(session, viewer, round_id=round_id)
        print(f"  closing the vote (all ballots dealt again): {time.perf_counter() - start:.2f} s")
    engine.dispose()


def count(url: str, round_id: int, directory: Path) -> None:
    chair = _person(url, "chair")
    engine = make_engine(url)
    with Session(engine) as session:
        viewer = viewer_for_person(session, chair)
        start = time.perf_counter()
        exported = tally.export_ballots(session, viewer, round_id=round_id)
        seconds = time.perf_counter() - start
        print(f"  ballots download: {seconds:.2f} s ({len(exported) // 1024:,} KiB)")
    engine.dispose()
    path = directory / "round.pb"
    path.write_text(exported, encoding="utf-8")
    app = subprocess.run(
        [sys.executable, "-c", COUNT_IN_APP, url, str(round_id), str(chair)],
        cwd=REPO,
        env=_env(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    cli = subprocess.run(
        [sys.executable, "-c", COUNT_WITH_CLI, str(path)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stderr.split()
    (app_s, app_kb, app_base), (cli_s, cli_kb, cli_base) = (
        (float(app[0]), int(app[1]), int(app[2])),
        (float(cli[0]), int(cli[1]), int(cli[2])),
    )
    app_work, cli_work = (app_kb - app_base) // 1024, (cli_kb - cli_base) // 1024
    print(
        f"  counting the round: the app {app_s:.2f} s, the CLI (file read included) {cli_s:.2f} s:"
        f" {app_s / cli_s:.2f}x"
    )
    print(
        f"  memory: the app's process {app_kb // 1024} MiB at its peak ({app_work} MiB for the"
        f" count), the CLI's {cli_kb // 1024} MiB ({cli_work} MiB for reading and counting)"
    )


def _page(page: str, person: str) -> None:
    import importlib

    import streamlit as st

    if person != "-":
        st.session_state["person_id"] = int(person)
    st.session_state["locale"] = "zh-CN"
    importlib.import_module(f"pages.{page}").render()


def renders(url: str) -> None:
    """Each page for each role, as AppTest runs it (script and service calls, no browser)."""
    os.environ.update(_env(url))
    # AppTest keeps its widget bookkeeping (callbacks) in session state, which the
    # production check for plain session values would reject (as in tests/pages).
    config.set_option("runner.enforceSerializableSessionState", False)
    streamlit_logger.set_log_level("error")  # "missing ScriptRunContext" for every cached read
    people = {role: (str(_person(url, role)) if role != "anonymous" else "-") for role in ROLES}
    slowest = (0.0, "")
    print(f"  page renders (ms), roles: {', '.join(ROLES)}")
    for page in PAGES:
        times = []
        for role in ROLES:
            at = AppTest.from_function(_page, args=(page, people[role]), default_timeout=120)
            at.user = {"is_logged_in": False}
            at.run()  # imports and first caches outside the timing
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            slowest = max(slowest, (times[-1], f"{page} as {role}"))
        print(f"    {page:<10} " + " ".join(f"{ms:6.0f}" for ms in times))
    print(f"  slowest render: {slowest[0]:.0f} ms ({slowest[1]})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(url: str, round_id: int, sessions: int, hold: int) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=REPO,
        env=_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        # The README's start: one run of app.py, so the live screen is served as such.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/_stcore/script-health-check", timeout=60
        ):
            pass
        for page in ("", f"live?round={round_id}"):
            report = subprocess.run(
                [
                    sys.executable,
                    str(ST_LOAD),
                    "--url",
                    f"http://127.0.0.1:{port}",
                    "--page",
                    page,
                    "--sessions",
                    str(sessions),
                    "--ramp",
                    "20",
                    "--hold",
                    str(hold),
                    "--server-pid",
                    str(server.pid),
                    "--json",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            figures = json.loads(report.stdout)
            print(f"  {sessions} live sessions of /{page}: {json.dumps(figures)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="Poland_Wroclaw_2022.pb")
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sessions", type=int, default=150)
    parser.add_argument("--hold", type=int, default=30)
    parser.add_argument("--no-load", action="store_true", help="skip the live sessions")
    parser.add_argument("--renders", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # beside children
    if args.renders:  # in a process of its own: AppTest takes over __main__ and the caches
        renders(args.renders)
        return 0
    path = PABULIB / args.file
    print(f"city_scale: {path.name}, {args.ballots:,} ballots, {os.cpu_count()} cores")
    for kind in args.databases.split(","):
        print(f"{kind}:")
        with tempfile.TemporaryDirectory() as directory, database(kind, Path(directory)) as url:
            round_id, community, on_ballot, imported = build(url, path)
            extra = max(args.ballots - imported, 0)
            rate = cast(url, round_id, community, on_ballot, extra, args.workers)
            print(f"  casting: {rate:.0f} ballots/s with {args.workers} worker processes")
            close_vote(url, round_id)
            count(url, round_id, Path(directory))
            subprocess.run([sys.executable, __file__, "--renders", url], cwd=REPO, check=True)
            if not args.no_load:
                load(url, round_id, args.sessions, args.hold)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"benchmark process peak memory: {peak} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
