"""The one stylesheet for older residents on phones (issue 13), and the page's language.

Streamlit's defaults are 14 px captions and labels in a 3.9:1 grey, 21-40 px tap targets, a
translucent focus ring, and `<html lang="en">` whatever the language. The rules below lift
those everywhere; the wall screens' own larger type (pages/live.py, meetings.py, notice.py,
review.py) uses more specific selectors and so still wins. Constant CSS: no user text in it.
"""

import json

import streamlit as st

from ui.context import locale, t

# Ink for captions and faded text: 7.0:1 on white, 6.3:1 on the sidebar's grey (#f0f2f6).
_FADED = "#555861"
# The focus ring: 8.6:1 on white, solid.
_RING = "#0b3d91"

STYLESHEET = f"""
<style>
/* Text: at least 16 px (1rem), larger inherited sizes kept (headings, metric values). */
.stApp :is(p, li, label, a, summary, button, input, textarea, td, th,
           [data-baseweb="select"] div, [data-baseweb="tab"] div)
  :not([data-testid="stIconMaterial"]) {{
  font-size: max(1rem, 1em);
}}
.stApp :is(input, textarea) {{
  font-size: max(1rem, 1em);
}}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] {{
  font-size: max(1rem, 1em);
}}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"],
[data-testid="stWidgetLabel"] p {{
  color: {_FADED};
  opacity: 1;
}}
/* A ballot's rows (and every tick box, radio and toggle row): 48 px high, the whole row a
   target; a ballot's titles 18 px. */
.stApp :is([data-testid="stCheckbox"], [data-testid="stRadio"] [role="radiogroup"]) label {{
  min-height: 3rem;
  width: 100%;
  align-items: center;
}}
.stApp [class*="st-key-ballot_"] [data-testid="stCheckbox"] label p {{
  font-size: max(1.125rem, 1em);
}}
/* Buttons, inputs, tabs, expanders, menu links: 48 x 48 px. */
.stApp button:not([data-testid="stHeaderActionElements"] *), .stApp [role="tab"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button {{
  min-height: 3rem;
  min-width: 3rem;
}}
.stApp :is(input:not([type="checkbox"], [type="radio"]), textarea),
.stApp [data-baseweb="select"] > div,
.stApp [data-baseweb="tab"], .stApp [data-testid="stExpander"] summary,
.stApp [data-testid="stPageLink-NavLink"] {{
  min-height: 3rem;
}}
.stApp [data-testid="stExpander"] summary, .stApp [data-testid="stPageLink-NavLink"] {{
  display: flex;
  align-items: center;
}}
/* The headings' 16 px anchor links: tiny targets and one Tab stop per heading. */
[data-testid="stHeaderActionElements"] {{
  display: none;
}}
/* A solid focus ring, and a visible one for tick boxes and radios (their input is hidden). */
.stApp :focus-visible,
.stApp label:has(input:focus-visible) {{
  outline: 3px solid {_RING} !important;
  outline-offset: 2px;
}}
/* Money at 200% zoom (a phone's page laid out in 195 CSS px): the figure shrinks with the
   screen's width down to 12vw (23 px there), wraps as a last resort, never ends in "…"; so
   do metric labels, and buttons' labels ("公示账…"). */
[data-testid="stMetricValue"] {{
  font-size: min(2.25rem, 12vw);
}}
.stApp h1 {{
  font-size: min(2.75rem, 13vw);
}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {{
  white-space: normal !important;
  overflow-wrap: anywhere;
  text-overflow: clip !important;
  overflow: visible !important;
}}
.stApp button [data-testid="stMarkdownContainer"] p {{
  white-space: normal;
  text-overflow: clip;
  overflow: visible;
}}
.stApp [data-testid="stExpander"] summary :is(span, p, div) {{
  white-space: normal;
  text-overflow: clip;
  overflow: visible;
}}
/* A select box's chosen option is the text of an input element, which cannot wrap: while
   its list is closed (chosen, or not yet opened), the input lies transparent over a copy of
   its value (set by the script below) that wraps, and the box shows the focus ring; typing
   opens the list and shows the input itself again. Screen readers read the input, not the
   copy. */
.stApp [data-testid="stSelectbox"] [data-linli-value] {{
  position: relative;
  min-height: 3rem;
  height: auto;
}}
.stApp [data-testid="stSelectbox"] [data-linli-value]:not(:has(> [aria-expanded="true"]))::before {{
  content: attr(data-linli-value) / "";
  flex: 1 1 auto;
  min-width: 0;
  align-self: center;
  padding: 0.5rem 0 0.5rem 0.5rem;
  font-size: 1rem;
  line-height: 1.4;
  white-space: normal;
  overflow-wrap: anywhere;
}}
.stApp [data-testid="stSelectbox"] [data-linli-value]:not(:has(> [aria-expanded="true"])) > input {{
  position: absolute;
  inset: 0 3rem 0 0;
  width: auto;
  height: 100%;
  opacity: 0;
}}
.stApp [data-testid="stSelectbox"] [data-linli-value]:has(> input:focus-visible) {{
  outline: 3px solid {_RING};
  outline-offset: 2px;
}}
/* Streamlit's English-only "Press Enter to apply" under a field (marked by the script below):
   the value applies when the field is left too, and a hint nobody can read in Chinese only
   gets in the way. The character counter beside it stays, legible. */
[data-testid="InputInstructions"] {{
  font-size: 1rem;
  color: {_FADED};
}}
[data-testid="InputInstructions"] > [data-linli-hint],
[data-testid="InputInstructions"] > [data-linli-hint] + span::before {{
  display: none;
}}
/* The folded sidebar is off screen: out of the Tab order and of screen readers too. */
[data-testid="stSidebar"][data-collapsed="true"] {{
  visibility: hidden;
}}
/* The phone's only way to the menu says what it is. */
[data-testid="stExpandSidebarButton"] {{
  width: auto;
  gap: 0.25rem;
  padding: 0 0.5rem;
}}
[data-testid="stExpandSidebarButton"]::after {{
  content: var(--linli-menu);
  font-size: 1rem;
}}
.st-key-linli_access {{
  display: none;
}}
</style>
"""

# "Large text": Streamlit sizes nearly everything in rem, so a larger root scales it all.
LARGE_TEXT = "<style>html { font-size: 20px; }</style>"


# Streamlit's own English names for its controls, by CSS selector, with the keys that replace
# them: Streamlit re-creates these elements (the menu button each time the sidebar folds),
# so an observer names them again.
_NAMED = {
    '[data-testid="stExpandSidebarButton"]': "access.open_menu",
    '[data-testid="stSidebarCollapseButton"] button': "access.close_menu",
    '[data-testid="stSidebar"]': "access.menu",
    '[data-testid="stSelectbox"] button[aria-haspopup="listbox"]': "access.show_choices",
}
_SCRIPT = """<script>
(() => {
  const root = document.documentElement;
  root.lang = LANG;
  root.style.setProperty("--linli-menu", JSON.stringify(MENU));
  window.linliNames = NAMES;
  const name = () => {
    for (const [selector, label] of Object.entries(window.linliNames)) {
      for (const e of document.querySelectorAll(selector)) {
        if (e.getAttribute("aria-label") !== label) e.setAttribute("aria-label", label);
      }
    }
  };
  // A select box's value, copied where the stylesheet can show it whole; Streamlit's
  // English "Press Enter to apply" / "Press Ctrl+Enter to apply" marked for hiding.
  const mark = () => {
    const boxes = '[data-testid="stSelectbox"] input[role="combobox"]';
    for (const input of document.querySelectorAll(boxes)) {
      const group = input.parentElement;
      if (group.dataset.linliValue !== input.value) group.dataset.linliValue = input.value;
    }
    // A field's spoken name is its label as shown, not the markdown it was written in
    // ("**title**", with the backslashes that keep a title's punctuation literal).
    const fields = '[data-testid="stCheckbox"], [data-testid="stNumberInput"]';
    for (const input of document.querySelectorAll(`:is(${fields}) input[aria-label]`)) {
      const shown = input.closest(fields).querySelector('[data-testid="stWidgetLabel"]');
      const text = shown ? shown.innerText.replace(/\\u2060/g, "").trim() : "";
      if (text && input.getAttribute("aria-label") !== text) input.setAttribute("aria-label", text);
    }
    for (const hint of document.querySelectorAll('[data-testid="InputInstructions"] > span')) {
      if (/^Press .*Enter/.test(hint.textContent)) hint.dataset.linliHint = "";
    }
  };
  const update = () => { name(); mark(); };
  update();
  if (!window.linliNamer) {
    window.linliNamer = new MutationObserver(() => window.linliUpdate());
    window.linliNamer.observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["value", "aria-label"],
    });
    document.addEventListener("focusout", () => setTimeout(() => window.linliUpdate(), 0));
  }
  window.linliUpdate = update;
})();
</script>"""


def apply(*, large_text: bool) -> None:
    """Once per run, from app.py: the stylesheet, the menu button's label, and the page's
    language (Streamlit offers no setting for `<html lang>`: a small script sets it)."""
    with st.sidebar.container(key="linli_access"):
        st.html(STYLESHEET + (LARGE_TEXT if large_text else ""))
        script = (
            _SCRIPT.replace("LANG", json.dumps(locale()))
            .replace("MENU", json.dumps(t("access.menu")))
            .replace("NAMES", json.dumps({selector: t(key) for selector, key in _NAMED.items()}))
        )
        st.html(script, unsafe_allow_javascript=True)
