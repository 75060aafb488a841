"""Screenshots for issue 13 (older residents on phones), taken with Debian's Chromium:

    .venv/bin/python benchmarks/accessibility_screenshots.py [--out docs/screenshots]

The resident's notice board, ledger (a fund's totals and its select box), ballot and results
on a 390x844 phone, four ways:

- access-<page>-phone.png        the default sizes
- access-<page>-phone-large.png  with the sidebar's "large text" switch on (text x1.25)
- access-<page>-phone-zoom.png   at 200% browser zoom: a 390-px-wide phone zoomed to 200%
                                 lays the page out in 195 CSS px, so the page is drawn at
                                 195x422 CSS px with 2 device pixels per CSS px (a 390x844
                                 picture), which is what zooming does to the layout
- access-<page>-phone-zoom-large.png  both at once

An amount cut off with "…" or split over two lines, or a select box's value cut short, would
show in these; the stylesheet (ui/accessibility.py) wraps them.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from screenshots import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    REPO,
    demo_server,
    go,
    settle,
    shoot,
    sign_in,
)

PAGES = {"notice": "公示栏", "ledger": "基金与账目", "vote": "投票", "tally": "计票结果"}
ZOOMED = {"width": 195, "height": 422}
RESULT = "平阳社区2025年微基金项目"


def _resident(browser: Browser, url: str, *, large: bool, zoomed: bool) -> Page:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        device_scale_factor=2 if zoomed else 1,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(url)  # a cold server's first request for /account would land on the notice
    settle(page)
    sign_in(page, url, "resident")
    # The switch is kept with the person: set it to what this pass wants, whatever the last
    # pass left.
    switch = page.get_by_test_id("stSidebar").get_by_role("switch", name="大字体")
    if switch.is_checked() != large:
        page.get_by_test_id("stSidebar").get_by_text("大字体").click()
        settle(page)
    return page


def take(browser: Browser, url: str, out: Path) -> None:
    for suffix, large, zoomed in (
        ("", False, False),
        ("-large", True, False),
        ("-zoom", False, True),
        ("-zoom-large", True, True),
    ):
        page = _resident(browser, url, large=large, zoomed=zoomed)
        for name, title in PAGES.items():
            page.set_viewport_size({"width": 1280, "height": 900})
            settle(page)
            if not page.locator(".st-key-linli_nav").is_visible():
                page.get_by_test_id("stExpandSidebarButton").click()
            go(page, title)
            if name == "tally":  # a published result, with its funded projects' amounts
                page.get_by_role("combobox", name="投票轮次").click()
                page.get_by_role("option", name=RESULT).click()
                settle(page)
            page.set_viewport_size(ZOOMED if zoomed else PHONE)
            settle(page)
            shoot(page, out / f"access-{name}-phone{suffix}.png", full_page=True)
        page.context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="linli-access-shots-") as tmp,
        demo_server(Path(tmp)) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            take(browser, url, out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
