"""Several servers, one store: two ``streamlit run`` processes on one fresh PostgreSQL database
with the demo, behind nginx with deploy/nginx.conf. A ballot cast on one server shows on the
live screen of the other without a click; through the proxy each browser stays on one process.

Needs PostgreSQL at 127.0.0.1:5432 (``LINLI_TEST_POSTGRES_URL``) and Debian's nginx; without
them the tests skip, unless CI's ``LINLI_REQUIRE_POSTGRES=1`` / ``LINLI_REQUIRE_BROWSER=1``
make that a failure.
"""

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from models import Account, make_engine
from services.accounts import viewer_for_person
from services.paper import key_paper_sheet
from services.proposals import list_proposals
from services.rounds import BallotChoice, list_rounds
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.e2e import nav_link, open_page, sign_in, wait_for_app
from tests.e2e.conftest import (
    REPO,
    REQUIRE_BROWSER,
    Server,
    free_port,
    launch_server,
    load_demo_into,
    wait_until_healthy,
)

pytestmark = pytest.mark.e2e

NGINX_CONF = REPO / "deploy" / "nginx.conf"
ROUND = "平阳社区2026年微基金项目"
# The live screen redraws every 5 s from figures shared for 3 s (ui/shared.py): a ballot shows
# within 8 s. The margin is for a machine busy with other work; this is no timing test.
UPDATE_TIMEOUT = 30_000
LOG_LINE = re.compile(r'^\S+ (\d{3}) "(\S+) (\S+) [^"]*" route=(\S+) upstream=(\S+)$')


def nginx_binary() -> Path:
    found = os.environ.get("LINLI_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    return Path(found)


@pytest.fixture(scope="module")
def nginx(chromium_path: Path) -> Path:
    binary = nginx_binary()
    if not binary.exists():
        message = f"{binary} is missing (install the Debian package `nginx`)"
        if REQUIRE_BROWSER:
            pytest.fail(f"{message}; LINLI_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def shared_store(chromium_path: Path) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = make_engine(POSTGRES_URL)
    name = f"linli_e2e_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error.orig}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Proxy:
    url: str
    process: subprocess.Popen
    prefix: Path

    def log(self) -> list[tuple[int, str, str, str, str]]:
        """(status, method, path, route, upstream) of every request answered so far; a
        websocket's line is written when it closes."""
        path = self.prefix / "logs" / "access.log"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        parsed = []
        for line in lines:
            found = LOG_LINE.match(line)
            assert found, f"unexpected access log line: {line!r}"
            status, method, target, route, upstream = found.groups()
            parsed.append((int(status), method, target, route, upstream))
        return parsed

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def proxy_config(ports: tuple[int, int], listen: int) -> str:
    """deploy/nginx.conf with its three marked addresses moved to this test's ports."""
    config = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in (
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{ports[0]};"),
        ("server 127.0.0.1:8502;", f"server 127.0.0.1:{ports[1]};"),
        ("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};"),
    ):
        assert config.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        config = config.replace(old, new)
    return config


def start_proxy(binary: Path, ports: tuple[int, int], prefix: Path) -> Proxy:
    (prefix / "logs").mkdir(parents=True)
    listen = free_port()
    config = prefix / "nginx.conf"
    config.write_text(proxy_config(ports, listen), encoding="utf-8")
    command = [str(binary), "-p", str(prefix), "-c", str(config), "-e", "logs/error.log"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    proxy = Proxy(url=f"http://127.0.0.1:{listen}", process=process, prefix=prefix)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, (prefix / "logs" / "error.log").read_text()
        try:
            with urllib.request.urlopen(f"{proxy.url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return proxy
        except OSError:
            time.sleep(0.1)
    proxy.stop()
    pytest.fail("nginx did not answer", pytrace=False)


@dataclass
class Cluster:
    a: Server
    b: Server
    proxy: Proxy
    database_url: str


@pytest.fixture(scope="module")
def cluster(
    nginx: Path, shared_store: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("cluster")
    # The processes boot while the demo loads: neither touches the store before a session.
    servers = [
        launch_server(None, directory / name, database_url=shared_store) for name in ("a", "b")
    ]
    proxy = None
    try:
        load_demo_into(shared_store)
        a, b = (wait_until_healthy(server) for server in servers)
        ports = tuple(int(server.url.rsplit(":", 1)[1]) for server in (a, b))
        proxy = start_proxy(nginx, ports, directory / "nginx")  # type: ignore[arg-type]
        yield Cluster(a, b, proxy, shared_store)
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:  # both at once: each takes a moment to close its websockets
            server.process.terminate()
        for server in servers:
            server.stop()


def ballots_cast(page: Page) -> Locator:
    return page.get_by_test_id("stMetric").filter(has_text="已投票").get_by_test_id("stMetricValue")


def open_live_screen(page: Page, base_url: str) -> int:
    """As a person does: the app's address, then the live screen in the navigation."""
    open_page(page, base_url)
    nav_link(page, "实时大屏").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=ROUND)).to_be_visible()
    return int(ballots_cast(page).inner_text())


def vote_online(page: Page, base_url: str) -> None:
    sign_in(page, base_url, "resident")
    nav_link(page, "投票").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=ROUND)).to_be_visible()
    option = main.get_by_test_id("stCheckbox").first
    option.locator("label").click()
    expect(option.get_by_role("checkbox")).to_be_checked()
    main.get_by_role("button", name="投出选票").click()
    expect(main.get_by_text("投票成功")).to_be_visible()


def test_a_ballot_cast_on_one_server_shows_on_the_live_screen_of_the_other(
    cluster: Cluster, browser: Browser
) -> None:
    wall = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    voter = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        wall.set_default_timeout(20_000)
        voter.set_default_timeout(20_000)
        screen = wall.new_page()
        before = open_live_screen(screen, cluster.b.url)
        vote_online(voter.new_page(), cluster.a.url)
        # Nobody touches the wall: the fragment's own timer brings the new count.
        expect(ballots_cast(screen)).to_have_text(str(before + 1), timeout=UPDATE_TIMEOUT)
    finally:
        voter.close()
        wall.close()


def test_the_check_that_runs_the_whole_app_answers_on_each_process_and_not_through_the_proxy(
    cluster: Cluster,
) -> None:
    for server in (cluster.a, cluster.b):  # whoever starts a process (README, "Run it")
        with urllib.request.urlopen(f"{server.url}/_stcore/script-health-check") as answer:
            assert answer.read() == b"ok"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{cluster.proxy.url}/_stcore/script-health-check", timeout=5)
    refused.value.close()
    assert refused.value.code == 404
    with urllib.request.urlopen(f"{cluster.proxy.url}/_stcore/health", timeout=5) as answer:
        assert answer.status == 200  # the plain liveness check stays reachable


def logged_upstream(proxy: Proxy, route: str) -> str:
    """The process that served the request with this route key: nginx logs a request just
    after answering it, so the line may come a moment after the answer."""
    deadline = time.monotonic() + 10
    while True:
        served = [upstream for *_, logged, upstream in proxy.log() if logged == route]
        if served or time.monotonic() > deadline:
            assert served, f"no access log line for route {route}"
            return served[0]
        time.sleep(0.05)


def pinned_routes(proxy: Proxy, backends: dict[str, str]) -> dict[str, str]:
    """A route cookie value that nginx sends to each process, found by asking."""
    found: dict[str, str] = {}
    for number in range(64):
        route = f"probe-{number}"
        request = urllib.request.Request(
            f"{proxy.url}/_stcore/health", headers={"Cookie": f"linli_route={route}"}
        )
        with urllib.request.urlopen(request, timeout=5):
            pass
        found.setdefault(backends[logged_upstream(proxy, route)], route)
        if len(found) == len(backends):
            return found
    pytest.fail(f"nginx sent 64 route keys to one process only: {found}", pytrace=False)


def closed_log(proxy: Proxy, *, sockets: int) -> list[tuple[int, str, str, str, str]]:
    """The access log once it holds ``sockets`` websockets: nginx writes a websocket's line
    when the socket closes, a moment after the browser lets it go."""
    deadline = time.monotonic() + 15
    while True:
        log = proxy.log()
        closed = [line for line in log if line[2].startswith("/_stcore/stream")]
        if len(closed) >= sockets or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def cast_paper_ballot(database_url: str) -> None:
    """Two clerks key a paper sheet alike, and it becomes a ballot: another writer on the same
    store."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        (voting,) = [r for r in list_rounds(session) if r.name == ROUND]
        first = list_proposals(session, round_id=voting.id, statuses=("on_ballot",))[0]
        sheet = f"e2e-{uuid.uuid4().hex[:6]}"
        for name in ("clerk", "clerk2"):
            clerk_id = session.exec(select(Account.person_id).where(Account.subject == name)).one()
            state = key_paper_sheet(
                session,
                viewer_for_person(session, clerk_id),
                round_id=voting.id,
                sheet_number=sheet,
                ballot=BallotChoice(approvals=(first.id,)),
            )
        assert state.status == "confirmed"
    engine.dispose()


def test_through_the_proxy_each_browser_stays_on_one_server(
    cluster: Cluster, browser: Browser
) -> None:
    backends = {
        server.url.removeprefix("http://"): name
        for name, server in (("a", cluster.a), ("b", cluster.b))
    }
    routes = pinned_routes(cluster.proxy, backends)
    screens: dict[str, Page] = {}
    contexts = []
    try:
        counts = {}
        for name in ("a", "b"):
            context = browser.new_context(locale="zh-CN")
            context.set_default_timeout(20_000)
            context.add_cookies(
                [{"name": "linli_route", "value": routes[name], "url": cluster.proxy.url}]
            )
            contexts.append(context)
            screens[name] = context.new_page()
            counts[name] = open_live_screen(screens[name], cluster.proxy.url)
        assert counts["a"] == counts["b"]  # one store behind both processes
        screens["b"].reload()  # a new websocket, to the same process
        wait_for_app(screens["b"])

        # A browser that comes without a route cookie is given one, and keeps to one process.
        newcomer = browser.new_context(locale="zh-CN")
        newcomer.set_default_timeout(20_000)
        contexts.append(newcomer)
        open_page(newcomer.new_page(), cluster.proxy.url)
        (given,) = [c["value"] for c in newcomer.cookies() if c["name"] == "linli_route"]

        cast_paper_ballot(cluster.database_url)
        for name in ("a", "b"):  # both screens, through the proxy, without a click
            expect(ballots_cast(screens[name])).to_have_text(
                str(counts[name] + 1), timeout=UPDATE_TIMEOUT
            )
    finally:
        for context in contexts:
            context.close()

    served: dict[str, set[str]] = {}
    sockets: dict[str, int] = {}
    for status, method, target, route, upstream in closed_log(cluster.proxy, sockets=4):
        # 404s are Streamlit's page probing where its base path is (/live/_stcore/health).
        assert status < 500, (status, method, target)
        if upstream == "-":  # answered by nginx itself: only the check it keeps from the public
            assert target == "/_stcore/script-health-check", target
            continue
        served.setdefault(route, set()).add(backends[upstream])
        if target.startswith("/_stcore/stream"):
            assert status == 101  # upgraded to a websocket through the proxy
            sockets[route] = sockets.get(route, 0) + 1
    assert served[routes["a"]] == {"a"} and served[routes["b"]] == {"b"}
    assert len(served[given]) == 1
    assert sockets[routes["a"]] == 1 and sockets[routes["b"]] == 2 and sockets[given] == 1
