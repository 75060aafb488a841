"""My gifts (我的捐赠): a donor sees each gift and what it paid for, found by their account or by
the receipt number on their paper receipt. One column: donors read it on a phone."""

import streamlit as st

from services.donors import GiftStory, gift_by_receipt, my_gifts
from ui.context import attempt, current_viewer, day, label, money, read, t
from ui.i18n import format_percent
from ui.plain_text import plain
from ui.widgets import empty_state

RECEIPT_PARAM = "receipt"


def _designation(story: GiftStory) -> str:
    gift = story.gift
    if gift.designation == "campaign":
        return t("donors.for_campaign", campaign=plain(gift.campaign_title))
    if gift.designation == "proposal":
        return t("donors.for_proposal", proposal=plain(gift.proposal_title))
    return t("donors.for_fund", fund=plain(gift.fund))


def _paid_for(story: GiftStory) -> None:
    gift, paid = story.gift, story.paid_for
    st.markdown(f"**{t('donors.what_it_paid_for')}**")
    if gift.is_reversed:
        st.warning(t("donors.reversed"), icon=":material/undo:")
        return
    if gift.proposal_id is not None:
        st.markdown(
            t(
                "donors.project_money",
                proposal=plain(gift.proposal_title),
                status=label("status", paid.proposal_status),
                allocated=money(paid.allocated_fen),
                spent=money(paid.spent_fen),
            )
        )
        if not paid.expenses:
            empty_state("donors.nothing_spent_yet")
        for expense in paid.expenses:
            st.markdown(
                f"- {day(expense.occurred_on)} · **{money(expense.amount_fen)}** · "
                f"{plain(expense.purpose)}  \n  "
                + t(
                    "donors.expense_meta",
                    payee=plain(expense.payee),
                    invoice=plain(expense.invoice_number),
                )
            )
        return
    if gift.campaign_title:
        st.info(t("donors.kept_for_need"), icon=":material/savings:")
        return
    st.caption(
        t(
            "donors.general_explained",
            share=format_percent(paid.gift_share, digits=2),
            money_in=money(paid.fund_money_in_fen),
        )
    )
    if not paid.projects:
        empty_state("donors.nothing_spent_yet")
    for project in paid.projects:
        st.markdown(
            f"- {plain(project.title)} · "
            + t(
                "donors.project_share",
                spent=money(project.spent_fen),
                share=money(project.share_fen),
            )
        )


def _gift(story: GiftStory) -> None:
    gift = story.gift
    with st.container(border=True):
        st.markdown(f"### {money(gift.amount_fen)}")
        st.caption(
            t(
                "donors.gift_meta",
                day=day(gift.occurred_on),
                fund=plain(gift.fund),
                receipt=gift.receipt_number,
            )
        )
        st.markdown(_designation(story))
        if gift.is_anonymous:
            st.caption(t("donors.anonymous_note"))
        _paid_for(story)


def _by_receipt() -> None:
    st.subheader(t("donors.by_receipt"), anchor=False)
    number = st.text_input(
        t("field.receipt_number"),
        value=st.query_params.get(RECEIPT_PARAM, ""),
        placeholder="JZ-2026-000123",
        key="receipt_number",
    )
    if st.button(t("donors.find"), key="find_receipt", type="primary", width="stretch"):
        st.query_params[RECEIPT_PARAM] = number  # the address a receipt's QR code can hold
    wanted = st.query_params.get(RECEIPT_PARAM)
    if not wanted:
        return
    story = attempt(gift_by_receipt, receipt_number=wanted)
    if story is not None:
        _gift(story)


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.donors"))
    st.caption(t("donors.intro"))
    if not viewer.is_anonymous:
        st.subheader(t("donors.mine"), anchor=False)
        stories = read(my_gifts, viewer=viewer)
        if not stories:
            empty_state("donors.no_gifts")
        for story in stories:
            _gift(story)
    _by_receipt()


if __name__ == "__main__":
    st.switch_page("app.py")
