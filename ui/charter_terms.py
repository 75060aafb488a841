"""A charter's rules in plain sentences, drawn the same where the public reads the charter
(the ledger) and where the chair keeps its versions (rounds), so neither leaves a rule out."""

import streamlit as st

from models import FundCharter
from ui.context import label, listing, locale, money, t
from ui.i18n import format_permille
from ui.plain_text import plain


def charter_terms(charter: FundCharter) -> None:
    """One line per rule the charter sets; its own text is placed by the screen."""
    if charter.allowed_categories:
        names = listing(label("category", c) for c in charter.allowed_categories)
        st.markdown(t("rounds.allowed", categories=names))
    if charter.forbidden_categories:
        names = listing(label("category", c) for c in charter.forbidden_categories)
        st.markdown(t("ledger.forbidden", categories=names))
    if charter.forbidden_items:
        words = listing(plain(w) for w in charter.forbidden_items)
        st.markdown(t("rounds.forbidden_items_list", items=words))
    if charter.spend_where_raised:
        st.markdown(t("field.spend_where_raised"))
    if charter.per_project_cap_fen is not None:
        st.markdown(t("ledger.project_cap", cap=money(charter.per_project_cap_fen)))
    if charter.per_community_year_cap_fen is not None:
        st.markdown(t("rounds.year_cap", cap=money(charter.per_community_year_cap_fen)))
    share = format_permille(charter.min_co_funding_permille, locale())
    st.markdown(t("ledger.co_funding", share=share))
