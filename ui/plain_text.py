"""User text shown through Streamlit's markdown exactly as it was typed.

Whatever residents, clerks, committee members, treasurers, reviewers and admins typed (titles,
descriptions, names of people, places, funds, rounds and meetings, reasons, notes, labels...)
goes through ``plain`` wherever Streamlit renders it as markdown. Otherwise a need reading
``![](http://host/pixel.png)`` makes every visitor's browser fetch that image, and links,
headings, ``:red[...]``, ``:material/lock:`` icons, emoji shortcodes and ``$...$`` LaTeX can be
planted on public pages.

Checked in Chromium against Streamlit 1.67 (tests/e2e/test_plain_text.py), these render
markdown, so user text in them goes through ``plain``:
  st.markdown, st.write (strings), st.caption, st.title, st.header, st.subheader,
  st.info/success/warning/error, st.toast; the labels of st.button, st.download_button,
  st.link_button, st.page_link, st.form_submit_button, st.checkbox, st.toggle, st.radio,
  st.pills, st.segmented_control, st.select_slider, st.text_input, st.text_area,
  st.number_input, st.slider, st.selectbox, st.multiselect, st.expander, st.popover,
  st.status, st.tabs and st.metric; the options of st.radio, st.pills, st.segmented_control
  and st.select_slider; st.metric's value and delta; st.image captions. Streamlit's docs say
  the same of ``help`` tooltips and st.dialog titles. st.badge is markdown too, but escapes
  ``[`` and ``]`` itself (``plain`` there would show a backslash before each): keep user
  text out.
These do not, so user text goes to them unchanged (``plain`` would show its backslashes):
  the options of st.selectbox and st.multiselect (their ``format_func`` text), st.text,
  dataframe and data_editor cells (drawn on a canvas), st.code, st.json, the values and
  placeholders of text inputs, Altair charts, and the HTML code sheet (``html.escape``).

How: every ASCII punctuation character gets a backslash (a valid CommonMark escape), which
stops every syntax construct: emphasis, links, images, raw HTML, headings, lists, tables,
``:directives[...]`` and ``$`` maths. Leading spaces and tabs of a line are dropped (they would
start a code block; HTML collapses them anyway), and line breaks stay line breaks.
Some of Streamlit's plugins work on the parsed text instead, after the escapes are gone: GFM
autolinks (``www.x.y``, ``https://...``, ``a@b.c``), ``:material_icon:`` and ``:streamlit:``,
emoji shortcodes (``:smile:``) and typographic arrows (``->``). An invisible WORD JOINER (U+2060)
after each ``:`` and ``@`` that a character follows, between ``www`` and its dot, and between
the characters of an arrow breaks each of those patterns; it shows nothing, but it is in the
page's text, so a reader who copies ``https://x`` from the page copies the joiner too.
"""

import re
import string

WORD_JOINER = "\u2060"
_ESCAPED = frozenset(string.punctuation)
_BREAKS = re.compile(r"(?<=[:@])(?=\S)|(?<=[wW]{3})(?=\.)|(?<=[-<>~])(?=[-<>=~])")


def plain(text: str) -> str:
    """``text`` as markdown that renders back to exactly ``text`` (word joiners aside)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    joined = _BREAKS.sub(WORD_JOINER, line.lstrip(" \t"))
    return "".join(f"\\{char}" if char in _ESCAPED else char for char in joined)
