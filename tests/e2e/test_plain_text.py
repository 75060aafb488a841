"""``ui.plain_text.plain`` in a real browser, through every Streamlit API its docstring lists.

A small script draws one hostile text through each API, raw and through ``plain``. Raw, each
markdown API turns it into elements (so the check can fail, and the list is right) and the
browser asks 127.0.0.9 for the image; through ``plain``, each shows the text as typed and
nothing is fetched. The app itself is checked in test_user_text.py.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request

from tests.e2e import shows_literally, wait_for_app
from tests.e2e.conftest import REPO, start_server

pytestmark = pytest.mark.e2e

PROBE_HOST = "127.0.0.9"
EVERYTHING = (
    "# T ![](http://127.0.0.9/pixel.png) [link](http://127.0.0.9/l) "
    "<img src=http://127.0.0.9/i.png> <a href=http://127.0.0.9/a>a</a> <h1>h</h1> "
    ":red[r] :material/warning: :material_lock: :streamlit: :smile: $x^2$ "
    "www.evil.example https://evil.example/x a@evil.example a -> b"
)
# what ui/plain_text.py says renders markdown, one case each
MARKDOWN_APIS = {
    "markdown": "st.markdown(text)",
    "write": "st.write(text)",
    "caption": "st.caption(text)",
    "title": "st.title(text, anchor=False)",
    "header": "st.header(text, anchor=False)",
    "subheader": "st.subheader(text, anchor=False)",
    "info": "st.info(text)",
    "success": "st.success(text)",
    "warning": "st.warning(text)",
    "error": "st.error(text)",
    "toast": "st.toast(text)",
    "button": "st.button(text, key=key)",
    "download_button": "st.download_button(text, b'x', key=key, on_click='ignore')",
    "link_button": "st.link_button(text, 'http://127.0.0.1:9/')",
    "page_link": "st.page_link('http://127.0.0.1:9/', label=text)",
    "form_submit_button": "st.form(key).form_submit_button(text)",
    "checkbox": "st.checkbox(text, key=key)",
    "toggle": "st.toggle(text, key=key)",
    "radio_label": "st.radio(text, ['x'], key=key)",
    "radio_option": "st.radio('r', [text], key=key)",
    "pills_option": "st.pills('r', [text], key=key)",
    "segmented_control_option": "st.segmented_control('r', [text], key=key)",
    "select_slider_option": "st.select_slider('r', [text, 'y'], key=key)",
    "text_input_label": "st.text_input(text, key=key)",
    "text_area_label": "st.text_area(text, key=key)",
    "number_input_label": "st.number_input(text, key=key)",
    "slider_label": "st.slider(text, 0, 5, key=key)",
    "selectbox_label": "st.selectbox(text, ['x'], key=key)",
    "multiselect_label": "st.multiselect(text, ['x'], key=key)",
    "expander": "st.expander(text).write('inside')",
    "popover": "st.popover(text).write('inside')",
    "status": "st.status(text).write('inside')",
    "tabs": "st.tabs([text, 'y'])",
    "metric_label": "st.metric(text, 1)",
    "metric_value": "st.metric('m', text)",
    "metric_delta": "st.metric('m', 1, text)",
    "image_caption": "st.image(PIXEL, caption=text)",
}
# shown as plain text whatever they hold (ui/plain_text.py: "These do not")
PLAIN_APIS = {
    "selectbox_option": "st.selectbox('r', [text], key=key)",
    "multiselect_option": "st.multiselect('r', [text], default=[text], key=key)",
    "text": "st.text(text)",
}
PROBE_HEAD = """\
import io
import sys

sys.path.insert(0, {repo!r})
import streamlit as st
from PIL import Image

from ui.plain_text import plain

pixel = io.BytesIO()
Image.new("RGB", (1, 1)).save(pixel, "PNG")
PIXEL = pixel.getvalue()
RAW = st.query_params.get("mode") == "raw"
HOSTILE = {text!r}
"""
PROBE_CASE = """
key = {name!r}
text = {text}
with st.container(key="case_" + key):
    {call}
"""


def probe_script() -> str:
    """One case per API: the hostile text raw (``?mode=raw``) or through ``plain``."""
    cases = [
        PROBE_CASE.format(
            name=name,
            call=call,
            text="HOSTILE" if name in PLAIN_APIS else "HOSTILE if RAW else plain(HOSTILE)",
        )
        for name, call in (MARKDOWN_APIS | PLAIN_APIS).items()
    ]
    return PROBE_HEAD.format(repo=str(REPO), text=EVERYTHING) + "".join(cases)


def _case(name: str) -> str:
    """Where a case is drawn: its container, but a toast floats outside it."""
    return '[data-testid="stToast"]' if name == "toast" else f".st-key-case_{name}"


@pytest.fixture
def probe_app(tmp_path: Path, chromium_path: Path) -> Iterator[str]:
    """The probe script on its own server; it opens no store (``store`` is never created)."""
    script = tmp_path / "probe.py"
    script.write_text(probe_script(), encoding="utf-8")
    server = start_server(Path(), tmp_path, store=tmp_path / "unused.db", script=str(script))
    yield server.url
    server.stop()


def _open(page: Page, url: str) -> list[str]:
    """Opens ``url``; returns the addresses the page asks of the probe host, as they come."""
    asked: list[str] = []

    def record(request: Request) -> None:
        if PROBE_HOST in request.url or "evil.example" in request.url:
            asked.append(request.url)

    page.on("request", record)
    page.goto(url)
    wait_for_app(page)
    return asked


def test_every_markdown_api_shows_plain_text_literally(probe_app: str, page: Page) -> None:
    asked = _open(page, f"{probe_app}/?mode=raw")
    raw_markup = [name for name in MARKDOWN_APIS if shows_literally(page, EVERYTHING, _case(name))]
    raw_plain = [name for name in PLAIN_APIS if not shows_literally(page, EVERYTHING, _case(name))]
    assert not raw_markup, f"these did not render markdown, so plain_text.py is wrong: {raw_markup}"
    assert not raw_plain, f"these rendered markdown, so plain_text.py is wrong: {raw_plain}"
    assert asked, "the raw markdown image was never requested: the request check would be vacuous"

    page.close()
    fresh = page.context.new_page()
    asked = _open(fresh, f"{probe_app}/?mode=plain")
    broken = [
        name
        for name in (*MARKDOWN_APIS, *PLAIN_APIS)
        if not shows_literally(fresh, EVERYTHING, _case(name))
    ]
    assert not broken, f"plain() text turned into markup in: {broken}"
    assert not asked, f"the page asked for {asked}"
