"""Browser tests: a real ``streamlit run`` server on a demo SQLite store, driven by the Debian
Chromium through Playwright's sync API (no ``playwright install``, no pytest-playwright).

The demo is loaded once per session with ``python -m demo`` and copied for each server,
so a server that must be fresh (the deep-link test) costs only its start-up.
Without /usr/bin/chromium the tests skip, unless ``LINLI_REQUIRE_BROWSER=1`` (CI) makes that a
failure.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("LINLI_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "linli-demo-2026"
START_TIMEOUT = 45.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LINLI_DATABASE_URL=db_url,
        LINLI_ENV="development",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def load_demo_into(database_url: str) -> None:
    """A migrated store with the demo street, made through the operator's command line."""
    done = subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=REPO,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`python -m demo` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
            pytrace=False,
        )


def load_demo(directory: Path) -> Path:
    path = directory / "demo.db"
    load_demo_into(f"sqlite:///{path}")
    return path


def copy_store(template: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "e2e.db"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy(source, db.with_name(db.name + suffix))
    return db


def launch_server(
    template: Path | None,
    directory: Path,
    *,
    port: int | None = None,
    extra_args: tuple[str, ...] = (),
    store: Path | None = None,
    script: str = "app.py",
    database_url: str | None = None,
) -> Server:
    """``streamlit run app.py`` (or ``script``) on a private copy of the demo store (or on
    ``store``, already copied and prepared, or on the database at ``database_url``, shared);
    returns at once: ``wait_until_healthy`` waits, so that several servers start together."""
    directory.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        if store is None:
            assert template is not None, "a store, a template to copy or a database URL"
            store = copy_store(template, directory)
        database_url = f"sqlite:///{store}"
    port = port or free_port()
    log = directory / "streamlit.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
                *extra_args,
            ],
            cwd=REPO,
            env=_env(database_url),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_until_healthy(server: Server, *, warm: bool = True) -> Server:
    """Waits until the server answers, then (``warm``) ends its start as the README's does: one
    run of app.py through ``/_stcore/script-health-check``, which must say "ok"."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{server.log_tail()}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    else:
        server.stop()
        pytest.fail(f"streamlit not healthy after {START_TIMEOUT} s:\n{server.log_tail()}")
    if not warm:
        return server
    try:
        with urllib.request.urlopen(
            f"{server.url}/_stcore/script-health-check", timeout=START_TIMEOUT
        ) as answer:
            said = answer.read()
    except urllib.error.HTTPError as error:  # 503 and "error" when app.py raised
        with error:
            said = error.read()
    if said != b"ok":
        server.stop()
        pytest.fail(f"app.py did not run: {said!r}\n{server.log_tail()}", pytrace=False)
    return server


def start_server(
    template: Path | None, directory: Path, *, warm: bool = True, **options: Any
) -> Server:
    """``launch_server``, then wait until it answers (and has run app.py once, if ``warm``)."""
    return wait_until_healthy(launch_server(template, directory, **options), warm=warm)


@pytest.fixture(scope="session", autouse=True)
def patient_assertions() -> None:
    """Playwright's assertions give up after 5 s; a loaded 2-core CI machine (a server starting
    beside the browser) has taken longer than that to redraw a page. A passing run is no
    slower: an assertion returns as soon as it holds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install the Debian package `chromium`)"
        if REQUIRE_BROWSER:
            pytest.fail(f"{message}; LINLI_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Path:
    return load_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Shared by the tests that do not need a server nobody has visited."""
    running = start_server(demo_template, tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture
def fresh_server(demo_template: Path, tmp_path: Path) -> Iterator[Server]:
    """A server process of its own, started as the README starts one; no browser has been."""
    running = start_server(demo_template, tmp_path / "fresh")
    yield running
    running.stop()


@pytest.fixture
def cold_server(demo_template: Path, tmp_path: Path) -> Iterator[Server]:
    """A process whose start skipped the README's run of app.py: until a session runs it,
    Streamlit serves the pages/ folder in its old mode, page files run without app.py."""
    running = start_server(demo_template, tmp_path / "cold", warm=False)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser) -> Iterator[object]:
    """A new profile per test (no cookies, no session), in Chinese like most residents."""
    created = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    created.set_default_timeout(15_000)
    yield created
    created.close()


@pytest.fixture
def page(context) -> object:
    return context.new_page()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed browser test's report ends with the log of every server it used: Streamlit
    shows the person a redacted error, and the traceback is only in the server's log."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    used = getattr(item, "funcargs", {}).values()
    servers = [s for v in used for s in (v, getattr(v, "a", None), getattr(v, "b", None))]
    for url, tail in {s.url: s.log_tail() for s in servers if isinstance(s, Server)}.items():
        report.sections.append((f"log of the server at {url}", tail))
