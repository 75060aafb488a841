"""``plain`` turns user text into markdown that reads back as the text itself.

CommonMark is modelled here by what it does with ``plain``'s output: a backslash before ASCII
punctuation is dropped, two spaces before a line break make a ``<br>``. The patterns are those
Streamlit 1.67's markdown plugins look for in the parsed text, where escapes no longer help
(copied from its bundle and from mdast-util-gfm-autolink-literal). What a real browser makes of
it is checked in tests/e2e/test_plain_text.py.
"""

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import i18n
from ui.plain_text import WORD_JOINER, plain

HOSTILE = [
    "![](http://127.0.0.9/pixel.png)",
    "[link](http://127.0.0.9/x) <http://127.0.0.9/auto>",
    "# heading\n## second\n===\n---",
    "<img src=http://127.0.0.9/a.png> <a href='http://127.0.0.9/'>a</a> <h1>h</h1>",
    ":red[red] :blue-background[x] :small[s] :help[h] :color[x]{foreground=red}",
    ":material/warning: :material_warning: :streamlit:",
    ":smile: :+1: :-1:",
    "$x^2$ and $$y^2$$",
    "www.evil.example WWW.Evil.example https://evil.example/x user@evil.example mailto:a@b.c",
    "a -> b <- c -- d >= e <= f ~= g <-> h",
    "*em* **b** ~~s~~ `code` _u_ __v__",
    "1. one\n2) two\n- item\n+ plus\n* star\n> quote\n- [ ] task",
    "line\n    indented\n\n\tcode block\n```\nfence\n```\n~~~",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "&amp; &lt; &#58; \\*not em\\* trailing\\",
    "[^1]\n\n[^1]: note\n[ref]: http://127.0.0.9/",
    "12:30 费用：5元（含税） · 平阳一村 3-2-501",
    "windows\r\nline\rends",
]
PUNCTUATION = re.escape(string.punctuation)
ESCAPED_ONLY = re.compile(rf"(?:\\[{PUNCTUATION}]|[^{PUNCTUATION}])*")
TEXT_PATTERNS = {
    "emoji shortcode": re.compile(r":\+1:|:-1:|:[\w+-][\w_+-]*:", re.ASCII),
    "material icon": re.compile(r":material_(\w+):", re.ASCII),
    "streamlit logo": re.compile(r":streamlit:"),
    "url autolink": re.compile(r"(https?://|www(?=\.))", re.IGNORECASE),
    "email autolink": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.ASCII),
    "arrow": re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
}


def parsed_text(markdown: str) -> str:
    """The text node CommonMark makes of ``plain``'s output (escapes resolved)."""
    return re.sub(rf"\\([{PUNCTUATION}])", r"\1", markdown).replace("  \n", "\n")


def typed(text: str) -> str:
    """What a reader sees of ``text``: line ends normalised, no indentation (HTML drops it)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.lstrip(" \t") for line in lines)


def check(text: str) -> None:
    markdown = plain(text)
    lines = markdown.split("  \n")
    assert all(ESCAPED_ONLY.fullmatch(line) for line in lines), markdown
    assert all(not line.startswith((" ", "\t")) for line in lines), markdown
    assert "\n" not in markdown.replace("  \n", ""), markdown
    node = parsed_text(markdown)
    # The joiners are invisible: plain's own break patterns, and one the resident typed (found
    # by hypothesis: "\u2060" alone) reads the same.
    assert node.replace(WORD_JOINER, "") == typed(text).replace(WORD_JOINER, "")
    found = {name for name, pattern in TEXT_PATTERNS.items() if pattern.search(node)}
    assert not found, f"{found} in {node!r}"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_reads_back_as_typed(text: str) -> None:
    check(text)


def test_ordinary_text_is_left_readable() -> None:
    assert plain("平阳一村 楼道灯") == "平阳一村 楼道灯"
    assert plain("a.b") == "a\\.b"
    assert plain("two\nlines") == "two  \nlines"


def test_the_old_patterns_would_have_been_found() -> None:
    """The checks above can fail: without the joiners, the text nodes hold every pattern."""
    unbroken = parsed_text(plain(HOSTILE[8] + " " + HOSTILE[5] + " " + HOSTILE[9]))
    unbroken = unbroken.replace(WORD_JOINER, "")
    assert all(pattern.search(unbroken) for pattern in TEXT_PATTERNS.values())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_any_text_reads_back_as_typed(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*string.punctuation, "w", "W", "a", "1", " ", "\n"])))
def test_any_punctuation_reads_back_as_typed(text: str) -> None:
    check(text)


def test_error_messages_show_what_was_typed_as_text() -> None:
    """ui.context.show_error passes ``plain``: a refused user name is quoted, not drawn."""
    typed_name = "![](http://127.0.0.9/pixel.png)"
    message = i18n.error_message("en", "username_taken", {"username": typed_name}, text=plain)
    assert plain(typed_name) in message and typed_name not in message
    field = {"field": "invoice_number"}  # a vocabulary value is shown in words, as before
    assert i18n.error_message("en", "field_required", field, text=plain) == (
        i18n.error_message("en", "field_required", field)
    )
