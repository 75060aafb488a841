"""WCAG 2.1 AA in the browser (issue 13): axe-core on every page, as anonymous and as each demo
role, on a phone (390x844) and a desktop (1920x1080), in Chinese and in English; and a ballot
cast with the keyboard alone.

Coverage, the whole product: each viewer (anonymous, admin, chair, secretary, treasurer, clerk,
reviewer, resident) opens every page of its menu in one language, checking each on the desktop
and again narrowed to a phone (a resize reflows the page without running it again), then
switches language in the sidebar and does the same in the other. Anonymous and the resident also
open /admin, the translated "not open to you" page, at both sizes in the browser's language.

A run fails on any serious or critical axe violation (tags wcag2a, wcag2aa, wcag21a,
wcag21aa), on an `<html lang>` other than the locale, and on a visible main control (button,
input, select box, tab, expander, tick box or radio row, menu link, the menu button) smaller
than 48 x 48 px.

axe-core comes from the npm registry (`.ci/run` installs it into .axe/, git-ignored); the file
is LINLI_AXE_JS or .axe/node_modules/axe-core/axe.min.js. Without it the tests skip, unless
LINLI_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import (
    DEMO_PASSWORD,
    nav,
    nav_link,
    open_page,
    sidebar_still,
    sidebar_widened,
    wait_for_app,
)
from tests.e2e.conftest import REPO, REQUIRE_BROWSER, Server, start_server
from ui.plain_text import WORD_JOINER

pytestmark = pytest.mark.e2e

AXE = Path(os.environ.get("LINLI_AXE_JS") or REPO / ".axe/node_modules/axe-core/axe.min.js")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGE = {"zh-CN": "中文", "en": "English"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# viewer -> the language it signs in with and checks first; and the account page's labels
VIEWERS = {
    "anonymous": "zh-CN",
    "admin": "en",
    "chair": "zh-CN",
    "secretary": "en",
    "treasurer": "zh-CN",
    "clerk": "en",
    "reviewer": "zh-CN",
    "resident": "en",
}
ACCOUNT = {
    "zh-CN": ("账户", "用户名", "密码", "登录"),
    "en": ("Account", "User name", "Password", "Sign in"),
}
NOT_FOR_YOU = {"zh-CN": "您无权打开此页面", "en": "This page is not open to you"}

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ` +
         v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""

# The main controls a finger must hit, measured where they are drawn (the folded sidebar's
# links are hidden, and hidden ones are not counted).
_SMALL_CONTROLS = """() => {
  const controls = [
    "button:not([data-testid='stElementToolbarButton'] *, [data-testid='stElementToolbar'] *)",
    "input:not([type=checkbox], [type=radio], [type=file])", "textarea",
    "[data-baseweb=select] > div", "[role=tab]", "[data-testid=stExpander] summary",
    "[data-testid=stCheckbox] label", "[data-testid=stRadio] [role=radiogroup] label",
    "[data-testid=stPageLink-NavLink]",
  ].join(",");
  return [...document.querySelectorAll(controls)]
    .filter((e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true}))
    .filter((e) => !e.closest("[data-testid=stElementToolbar], [data-testid=stDataFrame]"))
    .map((e) => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && (r.width < 47.5 || r.height < 47.5))
    .map(([e, r]) => `${e.tagName} ${(e.closest("[data-testid]") || e).dataset.testid} ` +
         `${Math.round(r.width)}x${Math.round(r.height)} ${JSON.stringify(
           (e.innerText || e.getAttribute("aria-label") || "").slice(0, 30))}`);
}"""


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing (npm install --prefix .axe axe-core@4, as .ci/run does)"
        if REQUIRE_BROWSER:
            pytest.fail(f"{message}; LINLI_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(message)
    return AXE


@pytest.fixture(scope="module")
def access_server(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Its own store: the keyboard test casts the resident's ballot."""
    running = start_server(demo_template, tmp_path_factory.mktemp("access"))
    yield running
    running.stop()


@contextmanager
def _page(browser: Browser, language: str) -> Iterator[Page]:
    context = browser.new_context(locale=language, timezone_id="Asia/Shanghai", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, url: str, username: str, language: str) -> None:
    account, user_name, password, sign_in = ACCOUNT[language]
    open_page(page, url)
    nav_link(page, account).click()
    wait_for_app(page)
    page.get_by_label(user_name, exact=True).fill(username)
    page.get_by_label(password, exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=sign_in, exact=True).click()
    expect(page.get_by_role("button", name=sign_in, exact=True)).to_have_count(0)
    wait_for_app(page)


def _problems(page: Page, axe_js: Path, language: str, where: str) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    found = [f"{where}: {v}" for v in page.evaluate(_AXE_RUN, TAGS)]
    lang = page.evaluate("() => document.documentElement.lang")
    if lang != language:
        found.append(f"{where}: <html lang={lang!r}>, not {language!r}")
    found += [f"{where}: under 48 px: {c}" for c in page.evaluate(_SMALL_CONTROLS)]
    return found


def _titles(page: Page) -> list[str]:
    _show_menu(page)
    links = nav(page).get_by_role("link")
    titles = [links.nth(i).inner_text().split("\n")[-1].strip() for i in range(links.count())]
    assert len(titles) >= 10, titles
    return titles


def _show_menu(page: Page) -> None:
    """The sidebar folds on a phone (and on the live screen), and may unfold by itself when
    the window widens again: wait until it is either open or its menu button is there."""
    button = page.get_by_test_id("stExpandSidebarButton")
    page.wait_for_function(
        """() => [...document.querySelectorAll(
              '.st-key-linli_nav, [data-testid="stExpandSidebarButton"]')]
            .some((e) => e.checkVisibility({visibilityProperty: true}))"""
    )
    sidebar_widened(page)
    if not nav(page).is_visible():
        button.click()
    expect(nav(page)).to_be_visible()


def _pass(page: Page, axe_js: Path, language: str, viewer: str) -> list[str]:
    """Every page in the viewer's menu in one language, each at both sizes: opened on the
    desktop (where the menu is), checked, narrowed to a phone and checked again."""
    found = []
    for title in _titles(page):
        page.set_viewport_size(DESKTOP)
        _show_menu(page)
        nav_link(page, title).click()
        wait_for_app(page)
        found += _problems(page, axe_js, language, f"{viewer} desktop {language} {title}")
        page.set_viewport_size(PHONE)
        sidebar_still(page, folded=True)
        found += _problems(page, axe_js, language, f"{viewer} phone {language} {title}")
    page.set_viewport_size(DESKTOP)
    return found


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_page_passes_axe(
    viewer: str, access_server: Server, browser: Browser, axe_js: Path
) -> None:
    first = VIEWERS[viewer]
    second = "en" if first == "zh-CN" else "zh-CN"
    with _page(browser, first) as page:
        if viewer == "anonymous":
            page.goto(access_server.url)
            wait_for_app(page, timeout=60_000)  # the matrix's first page: generous, under load
        else:
            _sign_in(page, access_server.url, viewer, first)
        problems = _pass(page, axe_js, first, viewer)
        _show_menu(page)
        page.get_by_test_id("stSidebar").get_by_role("radio", name=LANGUAGE[second]).click()
        wait_for_app(page)
        problems += _pass(page, axe_js, second, viewer)
        if viewer in ("anonymous", "resident"):  # a page their roles do not open
            page.goto(f"{access_server.url}/admin")  # a new session: signed in by the cookie,
            wait_for_app(page)  # in the browser's language
            expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOR_YOU[first])
            for size in ("phone", "desktop"):
                page.set_viewport_size(SIZES[size])
                if size == "phone":
                    sidebar_still(page, folded=True)
                else:
                    sidebar_widened(page)
                problems += _problems(page, axe_js, first, f"{viewer} {size} {first} /admin")
        assert not problems, "\n".join(problems)


def _focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          const r = e.getBoundingClientRect();
          return {
            text: (e.innerText || e.getAttribute("aria-label") || e.tagName).slice(0, 40),
            folded: !!e.closest("[data-testid=stSidebar][data-collapsed=true]"),
            visible: e.checkVisibility({visibilityProperty: true}) && r.width > 0
                     && r.right > 0 && r.left < innerWidth,
            checkbox: e.type === "checkbox",
          };
        }"""
    )


def test_a_ballot_cast_with_the_keyboard_alone(
    access_server: Server, browser: Browser, axe_js: Path
) -> None:
    """On a phone: Tab to two projects, Space ticks each, Tab to the button, Enter casts; no
    Tab stop on the folded sidebar's links or anywhere off the screen."""
    with _page(browser, "zh-CN") as page:
        _sign_in(page, access_server.url, "resident", "zh-CN")
        nav_link(page, "投票").click()
        wait_for_app(page)
        page.set_viewport_size(PHONE)
        sidebar_still(page, folded=True)
        main = page.get_by_test_id("stMain")
        cast = main.get_by_role("button", name="投出选票")
        names = main.get_by_role("checkbox").evaluate_all(
            "(boxes) => boxes.map((box) => box.getAttribute('aria-label'))"
        )
        shown = main.get_by_test_id("stCheckbox").get_by_test_id("stWidgetLabel").all_inner_texts()
        assert names and names == [text.replace(WORD_JOINER, "").strip() for text in shown], (
            "a tick box is read out as other than its label"
        )
        ticked = 0
        for _ in range(60):
            page.keyboard.press("Tab")
            focus = _focused(page)
            assert focus["visible"] and not focus["folded"], f"a Tab stop off the page: {focus}"
            if focus["checkbox"] and ticked < 2:
                page.keyboard.press("Space")
                wait_for_app(page)
                ticked += 1
                assert _focused(page)["checkbox"], "the tick moved the focus away"
            elif ticked == 2 and focus["text"].endswith("投出选票"):
                break
        else:
            pytest.fail("sixty Tab presses did not reach the cast button after two ticks")
        expect(main.get_by_role("checkbox", checked=True)).to_have_count(2)
        page.keyboard.press("Enter")
        expect(main.get_by_text("投票成功")).to_be_visible()
        expect(cast).to_have_count(0)
