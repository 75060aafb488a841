"""Helpers for the browser tests: waiting for Streamlit to finish a run, signing in, and
recording every byte the server sends to a page (dataframes are drawn on a canvas and only
their visible rows are in the DOM, so "not on the page" is checked on the wire as well)."""

import re
import time
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, WebSocket, expect

DEMO_PASSWORD = "linli-demo-2026"
RECEIPT = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def wait_for_app(page: Page, timeout: float = 20_000) -> None:
    """Connected, the script finished (twice, 300 ms apart: a ``switch_page`` or ``st.rerun``
    starts a second run), and no exception box on the page."""
    finished = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout
    )
    page.wait_for_selector(finished, timeout=timeout)
    time.sleep(0.3)
    page.wait_for_selector(finished, timeout=timeout)
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        raise AssertionError(f"Streamlit exception on {page.url}:\n{exceptions.first.inner_text()}")


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(nav(page)).to_be_visible()


def nav(page: Page) -> Locator:
    """The sidebar's page links, which app.py draws (Streamlit's own navigation is off)."""
    return page.locator(".st-key-linli_nav")


def sidebar_still(page: Page, folded: bool | None = None) -> None:
    """Wait until the sidebar has stopped sliding (and is folded or open, if `folded` says):
    Streamlit folds it on a narrow screen and may unfold it on a wide one, with a transition."""
    page.wait_for_function(
        """(folded) => {
          const bar = document.querySelector('[data-testid=stSidebar]');
          if (!bar) return true;
          if (folded !== null && (bar.dataset.collapsed === 'true') !== folded) return false;
          return !document.getAnimations().some((a) => a.playState === 'running'
            && a.effect && a.effect.target instanceof Element
            && a.effect.target.closest('[data-testid=stSidebar]'));
        }""",
        arg=folded,
    )


def sidebar_widened(page: Page) -> None:
    """After the window widens, Streamlit unfolds a folded sidebar by itself after a moment,
    if it does: wait that moment, then for the slide to end."""
    page.wait_for_timeout(300)
    sidebar_still(page)


def nav_link(page: Page, title: str) -> Locator:
    return nav(page).get_by_role("link", name=title, exact=True)


def main_text(page: Page) -> str:
    """All drawn text, dialogs (rendered outside stApp) included."""
    return page.locator("body").inner_text()


def sign_in(page: Page, base_url: str, username: str) -> None:
    """The local account form on the Account page (zh-CN labels), reached through the sidebar:
    on a server nobody has visited, a first request for /account lands on the notice board."""
    open_page(page, base_url)
    nav_link(page, "账户").click()
    wait_for_app(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    wait_for_app(page)


def sign_out(page: Page) -> None:
    """Through the navigation: a new URL would start a new session, signed out anyway."""
    nav_link(page, "账户").click()
    wait_for_app(page)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    wait_for_app(page)


def type_choice(page: Page, label: str, typed: str) -> None:
    """A ``st.selectbox`` or ``st.multiselect`` inside an expander: a click on the box can land
    outside Streamlit's scrolling container while the expander opens, so focus it and type to
    filter the list, then Enter once the list's active option is a match, and check that this
    option was picked. (A click on the option does not work either: the open list is never
    "stable" for Playwright.) Under load each step has failed once in CI: a first key lost while
    the box was drawn again ("阳二村" for "平阳二村", and no list), and an Enter that closed the
    list with the filter still typed in and nothing picked. Then it empties the box, closes it
    and starts again."""
    box = page.get_by_role("combobox", name=label, exact=True)
    expect(box).to_be_visible()
    active = page.locator('[role="option"][data-focused="true"]')
    multiselect = page.get_by_test_id("stMultiSelect").filter(has=box)
    for attempt in range(3):
        box.focus()
        page.keyboard.type(typed)
        try:
            expect(active).to_contain_text(typed, timeout=5_000)
            option = active.inner_text()
            page.keyboard.press("Enter")
            wait_for_app(page)
            if multiselect.count():  # the pick shows as a tag; the field is empty for the next
                expect(multiselect).to_contain_text(option, timeout=5_000)
            else:  # closed on the pick: the box shows the option, not a filter left typed in
                expect(box).to_have_attribute("aria-expanded", "false", timeout=5_000)
                expect(box).to_have_value(option, timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            box.fill("")
            page.keyboard.press("Escape")


def choose(page: Page, label: str, option: str) -> None:
    """A ``st.selectbox`` by its label."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


@dataclass
class Wire:
    """Everything the server sent to one page. Streamlit 1.67 sends every message, dataframes
    (Arrow, strings as plain UTF-8) included, over the one websocket."""

    chunks: list[bytes] = field(default_factory=list)

    def attach(self, page: Page) -> "Wire":
        page.on("websocket", self._on_socket)
        return self

    def _on_socket(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._on_frame)

    def _on_frame(self, payload: bytes | str) -> None:
        self.chunks.append(payload.encode() if isinstance(payload, str) else payload)

    def clear(self) -> None:
        self.chunks.clear()

    def carries(self, text: str) -> bool:
        needle = text.encode("utf-8")
        return any(needle in chunk for chunk in self.chunks)

    @property
    def size(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)


# The innermost elements whose text (an input's: its value) holds all of ``text``, word
# joiners dropped and runs of white space as one space, with their child elements' texts.
# Markdown that was not taken as plain text splits ``text`` over links, images, icons,
# headings..., so either no element holds it whole, or the one that does has a child made of
# it: with no text (an image) or with a piece of it (a link).
_LITERAL_SCRIPT = """([root, text]) => {
    const norm = (s) => s.replace(/\\u2060/g, "").replace(/\\s+/g, " ").trim();
    const want = norm(text);
    const own = (e) => (e.tagName === "INPUT" ? e.value : e.textContent) || "";
    const holds = (e) => norm(own(e)).includes(want);
    const scope = [...document.querySelectorAll(root)];
    const found = scope.flatMap((r) => [r, ...r.querySelectorAll("*")]).filter(holds);
    return found
        .filter((e) => ![...e.children].some(holds))
        .map((e) => ({
            tag: e.tagName,
            children: [...e.children].map((c) => [c.tagName, norm(c.textContent || "")]),
            visible: e.getClientRects().length > 0,
        }));
}"""


@dataclass(frozen=True)
class Holder:
    tag: str
    children: list[tuple[str, str]]  # tag and text
    visible: bool

    def made_of(self, text: str) -> list[str]:
        """Child elements that the text itself may have made (a line break is not one)."""
        whole = " ".join(text.replace("\u2060", "").split())
        return [
            tag for tag, inner in self.children if tag != "BR" and (not inner or inner in whole)
        ]


def literal_holders(page: Page, text: str, root: str = "body") -> list[Holder]:
    return [
        Holder(
            tag=found["tag"],
            children=[tuple(c) for c in found["children"]],
            visible=found["visible"],
        )
        for found in page.evaluate(_LITERAL_SCRIPT, [root, text])
    ]


def shows_literally(page: Page, text: str, root: str = "body") -> bool:
    """``text`` is drawn as it was typed: visible, whole, and no element made of it."""
    holders = literal_holders(page, text, root)
    return (
        bool(holders)
        and any(h.visible for h in holders)
        and not any(h.made_of(text) for h in holders)
    )
