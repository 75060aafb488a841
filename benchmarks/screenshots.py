"""Screenshots of Linli for the docs and for a visual check, taken with Debian's Chromium.

    .venv/bin/python benchmarks/screenshots.py [--out docs/screenshots]

Loads the demo street into a temporary SQLite store (``python -m demo``), starts
``streamlit run app.py`` on a free loopback port, signs in where a page needs it, and writes:

- notice-phone.png       the notice board on a phone (390x844, full page)
- notice-wall.png        the notice board's wall mode (/?view=wall) on a 1920x1080 screen
- tally-2025-wall.png    the 2025 round's published result, explanation open, 1920x1080
- meetings-wall.png      a committee meeting in wall mode (the chair), 1920x1080
- vote-phone.png         the resident's ballot on a phone (390x844, full page)
- codes-desk.png         a clerk has just issued 平阳二村's household voting codes (1280x900)
- code-sheet.png         the printable sheet of those codes, as the browser prints it
- code-vote-phone.png    a neighbour without an account votes with one code, on a phone
- live-wall.png          the live screen of the open 2026 vote on the hall's projector, 1920x1080
- live-result-wall.png   the live screen of the 2025 round, its result published, 1920x1080
- live-phone.png         the live screen of the 2026 vote followed on a phone (390x844)
- setup-rounds-wall.png  the admin sets up a knapsack round; the rounds beside it (1920x1080)
- setup-ballot-phone.png the same form on a phone: the ballot kinds, the knapsack's limit
- setup-dates-phone.png  a vote that would close before it opens, refused at its field
- setup-funds-wall.png   the fund hierarchy and the form for a new fund (1920x1080)
- resident-needs-phone.png     the needs board's chart on a phone (390x844)
- resident-proposal-phone.png  a resident writing a proposal's budget lines on a phone
- resident-draft-phone.png     the proposal saved as a draft, to continue later
- resident-support-phone.png   a resident has just supported a neighbour's proposal
- meeting-wall.png       the meeting room's wall (1920x1080): the next meeting under way, the
                         committee checked in, a decision on the item under discussion
- meeting-controls-phone.png  the secretary's controls for the same meeting on a phone
- money-donor-phone.png        a resident's gifts and what they paid for, on a phone
- money-campaigns-phone.png    crowdfunding campaigns and money by source, on a phone
- money-orders-phone.png       needs ordered from social organisations, on the needs board
- money-alliance-phone.png     an alliance: members, contributions, the council's rotation

``--only live`` takes the live screen's three alone, ``--only setup`` the set-up screen's,
``--only resident`` the resident's four, ``--only meeting`` the meeting room's two,
``--only money`` the money practices' four,
``--only measures`` the 2025 result with each project's margin or shortfall on a phone
(tally-measures-phone.png, tally-measures-phone-en.png).

Never runs ``playwright install``: the browser is /usr/bin/chromium (``apt-get install chromium``).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "linli-demo-2026"
PHONE = {"width": 390, "height": 844}
WALL = {"width": 1920, "height": 1080}
DESK = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_server(directory: Path) -> Iterator[str]:
    env = dict(os.environ)
    env.update(
        LINLI_DATABASE_URL=f"sqlite:///{directory / 'demo.db'}",
        LINLI_ENV="development",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
    )
    subprocess.run([sys.executable, "-m", "demo"], cwd=REPO, env=env, check=True)
    port = _free_port()
    log = (directory / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {directory / 'streamlit.log'}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        # The README's start: one run of app.py ends Streamlit's pages/ folder mode.
        with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=60):
            pass
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def settle(page: Page) -> None:
    """The script finished (twice, a rerun may follow), then a moment for charts to draw."""
    finished = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector(finished, timeout=30_000)
    time.sleep(0.4)
    page.wait_for_selector(finished, timeout=30_000)
    time.sleep(1.2)


def new_page(browser: Browser, viewport: dict[str, int], locale: str = "zh-CN") -> Page:
    context = browser.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    return context.new_page()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/account")
    settle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    settle(page)


def go(page: Page, title: str) -> None:
    """Through the sidebar: a new URL would start a new session (and sign out)."""
    page.locator(".st-key-linli_nav").get_by_role("link", name=title, exact=True).click()
    settle(page)


def _content_height(page: Page) -> int:
    """Streamlit scrolls inside its main container, not the document, so ``full_page`` alone
    captures one screen: the tallest scrolling element's height is the page's real length."""
    return int(
        page.evaluate(
            """() => Math.max(document.documentElement.scrollHeight,
                ...[...document.querySelectorAll('*')]
                    .filter(e => e.scrollHeight > e.clientHeight + 1)
                    .map(e => e.scrollHeight))"""
        )
    )


def shoot(page: Page, path: Path, *, full_page: bool) -> None:
    if full_page:
        width = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
        page.set_viewport_size({"width": width, "height": min(_content_height(page), 12_000)})
        settle(page)
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def take(browser: Browser, url: str, out: Path) -> None:
    page = new_page(browser, PHONE)
    page.goto(url)
    settle(page)
    shoot(page, out / "notice-phone.png", full_page=True)
    page.context.close()

    page = new_page(browser, WALL)
    page.goto(f"{url}/?view=wall")
    settle(page)
    shoot(page, out / "notice-wall.png", full_page=False)
    page.goto(url)
    settle(page)

    page.goto(f"{url}/tally")
    settle(page)
    page.get_by_role("combobox", name="投票轮次", exact=True).click()
    page.get_by_role("option", name="平阳社区2025年微基金项目").click()
    settle(page)
    page.get_by_text("为什么是这些项目？").click()
    settle(page)
    page.get_by_role("heading", level=1).scroll_into_view_if_needed()  # the click scrolled
    settle(page)
    shoot(page, out / "tally-2025-wall.png", full_page=False)
    page.context.close()

    page = new_page(browser, DESK)
    sign_in(page, url, "chair")
    go(page, "议事会")
    meeting = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has_text="第三次")
        .filter(has=page.get_by_role("button", name="查看"))
    )
    if meeting.count():
        meeting.last.get_by_role("button", name="查看").click()
        settle(page)
    page.set_viewport_size(WALL)
    page.get_by_text("投屏模式").click()
    settle(page)
    shoot(page, out / "meetings-wall.png", full_page=False)
    page.context.close()

    page = new_page(browser, DESK)
    sign_in(page, url, "resident")
    go(page, "投票")
    page.set_viewport_size(PHONE)
    settle(page)
    shoot(page, out / "vote-phone.png", full_page=True)
    page.context.close()

    page = new_page(browser, DESK)
    sign_in(page, url, "clerk")
    go(page, "投票")
    page.get_by_text("发放入户投票码", exact=True).click()
    target = page.get_by_role("combobox", name="预算轮次与小区", exact=True)
    expect(target).to_be_visible()
    time.sleep(0.5)  # the expander is still opening
    target.focus()  # the click lands outside Streamlit's scrolling container: type instead
    page.keyboard.type("平阳二村")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="为每户生成投票码").click()
    settle(page)
    page.get_by_text("投票码只显示这一次").scroll_into_view_if_needed()
    shoot(page, out / "codes-desk.png", full_page=False)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载可打印的投票码单").click()
    sheet = download.value.path().read_text(encoding="utf-8")
    code = sheet.split('<div class="code">', 1)[1].split("<", 1)[0]
    printed = page.context.new_page()
    printed.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    printed.set_content(sheet)
    shoot(printed, out / "code-sheet.png", full_page=False)
    page.context.close()

    page = new_page(browser, PHONE)
    page.goto(f"{url}/vote")
    settle(page)
    page.get_by_label("入户投票码", exact=True).fill(code)
    page.get_by_role("button", name="打开选票").click()
    settle(page)
    shoot(page, out / "code-vote-phone.png", full_page=True)
    page.context.close()


def take_live(browser: Browser, url: str, out: Path) -> None:
    """Opened by its address, as a projector keeps it: the sidebar starts folded away."""
    page = new_page(browser, WALL)
    page.goto(url)  # a server's first session starts on the notice board (pages/ folder mode)
    settle(page)
    page.goto(f"{url}/live")
    settle(page)
    shoot(page, out / "live-wall.png", full_page=False)
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_text("平阳社区2025年微基金项目", exact=False).click()
    settle(page)
    chosen = page.url  # ?round=...: the address a projector keeps
    page.context.close()
    page = new_page(browser, WALL)  # a browser that never unfolded the sidebar
    page.goto(chosen)
    settle(page)
    shoot(page, out / "live-result-wall.png", full_page=False)
    page.context.close()

    page = new_page(browser, PHONE)
    page.goto(f"{url}/live")
    settle(page)
    shoot(page, out / "live-phone.png", full_page=False)  # one screen: nothing below it
    page.context.close()


def _type_date(page: Page, label: str, digits: str) -> None:
    """A date field is three spin buttons (year, month, day) that move on as digits come."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")
    settle(page)


def _fill(page: Page, key: str, text: str) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Tab")
    settle(page)


def take_setup(browser: Browser, url: str, out: Path) -> None:
    """The admin's rounds and funds screen: a new round with a knapsack ballot, on a wall-sized
    screen and on a phone, a refusal at its field, and the funds."""
    page = new_page(browser, DESK)
    page.goto(url)  # a server's first session starts on the notice board (pages/ folder mode)
    settle(page)
    sign_in(page, url, "admin")
    go(page, "轮次与基金")
    page.set_viewport_size(WALL)
    _fill(page, "round_new_0_name", "平阳社区2027年微基金项目")
    _fill(page, "round_new_0_year", "2027")
    place = page.get_by_role("combobox", name="地区", exact=True)
    place.focus()
    page.keyboard.type("古美路街道 / 平阳社区")
    page.keyboard.press("Enter")
    settle(page)
    _fill(page, "round_new_0_budget", "90000")
    page.get_by_text("预算内选择（所选项目合计不超过预算）", exact=True).click()
    settle(page)
    page.get_by_role("heading", level=1).scroll_into_view_if_needed()  # the click scrolled
    settle(page)
    shoot(page, out / "setup-rounds-wall.png", full_page=False)
    page.set_viewport_size(PHONE)
    settle(page)
    page.locator(".st-key-round_new_0_kind").scroll_into_view_if_needed()
    settle(page)
    shoot(page, out / "setup-ballot-phone.png", full_page=False)
    _type_date(page, "投票开始", "20270610")
    _type_date(page, "投票截止", "20270601")
    page.get_by_role("button", name="创建轮次").click()
    settle(page)
    page.locator(".st-key-round_new_0_voting_opens_on").scroll_into_view_if_needed()
    settle(page)
    shoot(page, out / "setup-dates-phone.png", full_page=False)
    page.set_viewport_size(WALL)
    settle(page)
    page.get_by_role("tab", name="基金").click()
    settle(page)
    shoot(page, out / "setup-funds-wall.png", full_page=False)


def take_resident(browser: Browser, url: str, out: Path) -> None:
    """A resident on a phone: the needs chart, a proposal with two budget lines and a pledge,
    kept as a draft, and the support of a neighbour's proposal."""
    page = new_page(browser, PHONE)
    page.goto(url)  # a server's first session starts on the notice board (pages/ folder mode)
    settle(page)
    sign_in(page, url, "resident")
    page.goto(f"{url}/needs")
    settle(page)
    page.get_by_role("heading", name="大家最关心什么").scroll_into_view_if_needed()
    shoot(page, out / "resident-needs-phone.png", full_page=False)

    page.goto(f"{url}/proposals")
    settle(page)
    main = page.get_by_test_id("stMain")
    main.get_by_text("提交提案", exact=True).click()
    settle(page)
    main.get_by_label("标题", exact=True).fill("楼道扶手加装")
    main.get_by_label("简介", exact=True).fill("为3号楼老人加装楼道扶手。")
    lines = page.locator("[class*='st-key-line_card_']")
    lines.nth(0).get_by_label("预算明细", exact=True).fill("不锈钢扶手")
    category = lines.nth(0).get_by_role("combobox", name="类别", exact=True)
    category.focus()  # a click can land outside Streamlit's scrolling container: type instead
    page.keyboard.type("公共设施")
    page.keyboard.press("Enter")
    lines.nth(0).get_by_label("数量", exact=True).fill("12")
    lines.nth(0).get_by_label("单价（元）", exact=True).fill("350")
    main.get_by_role("button", name="添加一行预算").click()
    settle(page)
    lines.nth(1).get_by_label("预算明细", exact=True).fill("安装人工")
    lines.nth(1).get_by_label("单价（元）", exact=True).fill("1200")
    main.get_by_role("button", name="添加一笔配套资金").click()
    settle(page)
    pledge = page.locator("[class*='st-key-pledge_card_']").first
    pledge.get_by_label("出资方", exact=True).fill("3号楼居民")
    pledge.get_by_label("金额（元）", exact=True).fill("600")
    lines.nth(0).scroll_into_view_if_needed()
    shoot(page, out / "resident-proposal-phone.png", full_page=False)
    main.get_by_role("button", name="保存草稿").click()
    settle(page)
    page.get_by_role("heading", level=1).scroll_into_view_if_needed()
    page.get_by_test_id("stToast").wait_for(state="detached")  # the banner says it too
    shoot(page, out / "resident-draft-phone.png", full_page=False)

    main.get_by_text("提交提案", exact=True).click()  # fold the form away
    header = page.locator("summary").filter(has_text="楼前花园居民认养")
    proposal = main.get_by_test_id("stExpander").filter(has=header)
    header.click()
    settle(page)
    proposal.get_by_role("button", name="支持", exact=True).click()
    settle(page)
    header.scroll_into_view_if_needed()
    shoot(page, out / "resident-support-phone.png", full_page=False)


def take_meeting(browser: Browser, url: str, out: Path) -> None:
    """The secretary opens the demo's next meeting on a laptop, starts it, checks the committee
    in, moves to the first item and records a decision on it; the projector shows the wall by
    its address; then the secretary's phone."""
    page = new_page(browser, {"width": 1366, "height": 768})
    page.goto(url)  # a server's first session starts on the notice board (pages/ folder mode)
    settle(page)
    sign_in(page, url, "secretary")
    go(page, "议事会")
    card = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has_text="第四次")
        .filter(has=page.get_by_role("button", name="查看"))
    )
    card.last.get_by_role("button", name="查看").click()
    settle(page)
    page.get_by_role("button", name="开始会议").click()
    settle(page)
    page.get_by_role("tab", name="出席").click()
    for name in ("李建国", "张敏", "陈静", "周红", "吴强", "孙丽"):
        page.get_by_test_id("stCheckbox").filter(has_text=name).first.click()
    page.get_by_role("button", name="签到", exact=True).click()
    settle(page)
    page.locator(".st-key-meeting_room").get_by_role("button", name="下一项").click()
    settle(page)
    page.get_by_role("tab", name="会议纪要").click()
    page.get_by_label("记录内容").fill(
        "物业汇报：3 号楼、5 号楼 24 盏感应灯已安装，其余楼栋下月完成；老人反映夜间亮度合适。"
    )
    page.get_by_role("button", name="记录", exact=True).click()
    settle(page)
    page.get_by_role("tab", name="决议").click()
    page.get_by_role("combobox", name="相关提案").click()
    page.get_by_role("option").first.click()
    page.get_by_label("正文").fill("同意按进度推进，下月底前完成全部楼道灯具安装并公示验收结果。")
    page.get_by_label("赞成票").fill("6")
    page.get_by_role("button", name="记录决议").click()
    settle(page)
    wall_url = f"{page.url.split('?')[0]}?{page.url.split('?')[1]}&view=wall"

    wall = new_page(browser, WALL)
    sign_in(wall, url, "treasurer")
    wall.goto(wall_url)
    settle(wall)
    time.sleep(25)  # a few seconds into the item, as the room sees it
    shoot(wall, out / "meeting-wall.png", full_page=False)
    wall.context.close()

    page.set_viewport_size(PHONE)
    page.reload()
    settle(page)
    shoot(page, out / "meeting-controls-phone.png", full_page=False)
    page.context.close()


def take_money(browser: Browser, url: str, out: Path) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, url, "resident")
    go(page, "我的捐赠")
    shoot(page, out / "money-donor-phone.png", full_page=False)
    page.context.close()
    for path, name in (
        ("campaigns", "money-campaigns-phone.png"),
        ("needs", "money-orders-phone.png"),
        ("alliances", "money-alliance-phone.png"),
    ):
        page = new_page(browser, PHONE)
        page.goto(f"{url}/{path}")
        settle(page)
        shoot(page, out / name, full_page=False)
        page.context.close()


def _warn_without_cjk_fonts() -> None:
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        found = ""
    if not found.strip():
        print(
            "warning: no Chinese font installed; Chinese text will show as boxes "
            "(apt-get install fonts-noto-cjk)",
            file=sys.stderr,
        )


def take_measures(browser: Browser, url: str, out: Path) -> None:
    """The 2025 round's result on a phone: under each project, its margin or what it lacked."""
    for locale, name in (
        ("zh-CN", "tally-measures-phone.png"),
        ("en", "tally-measures-phone-en.png"),
    ):
        page = new_page(browser, PHONE, locale=locale)
        page.goto(url)
        settle(page)
        page.goto(f"{url}/tally")
        settle(page)
        page.get_by_role("combobox").first.click()
        page.get_by_role("option").filter(has_text="2025").first.click()
        settle(page)
        shoot(page, out / name, full_page=True)
        page.context.close()


def main() -> int:
    _warn_without_cjk_fonts()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument(
        "--only",
        choices=["all", "live", "setup", "resident", "meeting", "money", "measures"],
        default="all",
    )
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="linli-shots-") as tmp,
        demo_server(Path(tmp)) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            if args.only == "all":
                take(browser, url, out)
            if args.only in ("all", "live"):
                take_live(browser, url, out)
            if args.only in ("all", "setup"):
                take_setup(browser, url, out)
            if args.only in ("all", "resident"):
                take_resident(browser, url, out)
            if args.only in ("all", "meeting"):
                take_meeting(browser, url, out)
            if args.only in ("all", "money"):
                take_money(browser, url, out)
            if args.only in ("all", "measures"):
                take_measures(browser, url, out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
