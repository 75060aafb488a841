"""A phone at 200% zoom, fields' counters, and addresses that name no page (issue 13).

200% zoom on a 390-px-wide phone lays the page out in 195 CSS px with 2 device pixels per CSS
px, as benchmarks/accessibility_screenshots.py draws it. Unknown addresses are checked in both
languages: Streamlit's own answer is an English-only "Page not found" dialog.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e import choose, nav, nav_link, sidebar_still, sidebar_widened, sign_in, wait_for_app
from tests.e2e.conftest import Server, start_server

pytestmark = pytest.mark.e2e

ZOOMED = {"width": 195, "height": 422}
NOT_FOUND = {"zh-CN": "此地址没有页面", "en": "There is no page at this address"}
SET_UP = {"zh-CN": "邻里已经设置好了", "en": "Linli is already set up"}

# Amounts and other figures of four or more characters that a line break splits, or that
# stick out of the screen, in the main area: "¥12,3" / "45.00" is one of them.
_SPLIT_FIGURES = r"""() => {
  const found = [];
  const main = document.querySelector("[data-testid=stMain]");
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.checkVisibility()) continue;
    for (const m of node.data.matchAll(/[¥$]?\d[\d,]*(\.\d+)?/g)) {
      if (m[0].length < 4) continue;
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const lines = new Set(rects.map((r) => Math.round(r.top)));
      if (lines.size > 1 || rects.some((r) => r.right > innerWidth + 0.5 || r.left < 0)) {
        found.push(`${m[0]} in ${JSON.stringify(node.data.slice(0, 50))}`);
      }
    }
  }
  return found;
}"""

# The chosen option of each select box: its copy (the stylesheet's ::before, which wraps)
# holds the whole value, the input over it is transparent, and the box grew to fit; and the
# name of the button that opens it.
_SELECT_BOXES = """() => [...document.querySelectorAll(
    '[data-testid="stSelectbox"] input[role="combobox"]')].map((input) => {
  const group = input.parentElement;
  return {
    value: input.value,
    shown: getComputedStyle(group, "::before").content,
    input_opacity: getComputedStyle(input).opacity,
    height: group.getBoundingClientRect().height,
    button: group.querySelector("button").getAttribute("aria-label"),
  };
})"""

_COUNTER = """() => [...document.querySelectorAll('[data-testid="InputInstructions"]')]
  .filter((e) => e.checkVisibility())
  .map((e) => ({text: e.innerText, size: getComputedStyle(e).fontSize,
                color: getComputedStyle(e).color}))"""


def _contrast(rgb: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    def luminance(channels: tuple[int, ...]) -> float:
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in channels)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    ink = tuple(int(v) for v in re.findall(r"\d+", rgb)[:3])
    light, dark = sorted((luminance(ink), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def zoom_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Its own store: the resident's ballot must still be open to fill in, whichever of the
    other browser tests (which cast it on the shared server) ran first."""
    running = start_server(demo_template, tmp_path_factory.mktemp("zoom"))
    yield running
    running.stop()


@pytest.fixture
def zoomed(browser: Browser) -> Iterator[BrowserContext]:
    created = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        device_scale_factor=2,
    )
    created.set_default_timeout(15_000)
    yield created
    created.close()


def _wide(page: Page) -> None:
    """Back to a desktop's width, the sidebar open (it may stay folded from the phone)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sidebar_widened(page)
    if not nav(page).is_visible():
        page.get_by_test_id("stExpandSidebarButton").click()
    expect(nav(page)).to_be_visible()


def _open_zoomed(page: Page, title: str) -> None:
    _wide(page)
    nav_link(page, title).click()
    wait_for_app(page)
    page.set_viewport_size(ZOOMED)
    sidebar_still(page, folded=True)  # Streamlit folds the sidebar on a narrow screen


def test_a_phone_at_200_percent_shows_amounts_choices_and_counters_whole(
    zoom_server: Server, zoomed: BrowserContext
) -> None:
    """One signed-in resident with large text on (the hardest case): the fund's totals and
    the ballot's rows, the fund box, and a field's character counter."""
    page = zoomed.new_page()
    sign_in(page, zoom_server.url, "resident")
    large = page.get_by_test_id("stSidebar").get_by_role("switch", name="大字体")
    expect(large).not_to_be_checked()
    page.get_by_test_id("stSidebar").get_by_text("大字体").click()
    wait_for_app(page)
    expect(large).to_be_checked()
    _check_zoomed(page)


def _check_zoomed(page: Page) -> None:
    _open_zoomed(page, "基金与账目")
    assert page.evaluate(_SPLIT_FIGURES) == []
    (box,) = page.evaluate(_SELECT_BOXES)
    assert box["value"] == "闵行区社区自治母基金"
    assert box["shown"] == '"闵行区社区自治母基金" / ""', box
    assert box["input_opacity"] == "0"
    assert box["height"] > 80, box  # two lines of 20-px text: the name wraps
    assert box["button"] == "展开选项"  # Streamlit's is "Open"
    _wide(page)
    choose(page, "基金", "平阳社区微基金")  # the copy follows the choice, the box still focused
    assert page.evaluate("() => document.activeElement.role") == "combobox"
    assert page.evaluate(_SELECT_BOXES)[0]["shown"] == '"平阳社区微基金" / ""'

    _open_zoomed(page, "投票")
    expect(page.get_by_role("checkbox").first).to_be_attached()
    assert page.evaluate(_SPLIT_FIGURES) == []

    _wide(page)  # the counter, at a desktop's width (the same stylesheet)
    nav_link(page, "居民点单").click()
    wait_for_app(page)
    page.get_by_text("发布需求").click()
    page.get_by_label("描述", exact=True).fill("路灯坏了")  # a text area: "Press Ctrl+Enter ..."
    expect(page.get_by_test_id("InputInstructions").first).to_contain_text("4/2000")
    (counter,) = page.evaluate(_COUNTER)
    assert counter["text"].strip() == "4/2000", counter  # no English hint, no dot before
    assert counter["size"] == "20px"  # 16 px, times the large text's 1.25
    assert _contrast(counter["color"]) >= 4.5, counter


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_an_address_that_names_no_page_says_so_in_the_viewers_language(
    server: Server, browser: Browser, language: str
) -> None:
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path, title in (("nosuchpage", NOT_FOUND), ("setup", SET_UP)):
            page.goto(f"{server.url}/{path}")
            wait_for_app(page)
            expect(page.get_by_role("heading", level=1)).to_have_text(title[language])
            assert page.get_by_role("dialog").count() == 0
            assert "Page not found" not in page.locator("body").inner_text()
            assert page.evaluate("() => document.documentElement.lang") == language
    finally:
        context.close()
