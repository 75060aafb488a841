"""Campaigns and revenue (众筹与自我造血): crowdfunding campaigns with their progress, the fund's
revenue-earning assets with their income, and where the fund's money comes from. Public to
read; the chair or the treasurer opens and closes campaigns, the treasurer keeps the register."""

from datetime import date, timedelta

import streamlit as st

from models.vocabulary import RevenueAssetKind
from services.campaigns import (
    CampaignProgress,
    campaigns,
    close_campaign,
    money_by_source,
    open_campaign,
    record_revenue,
    register_revenue_asset,
    revenue_register,
)
from services.ledger import fund_balances
from services.needs import list_needs
from services.permissions import Action, Viewer, can_somewhere
from services.proposals import list_proposals
from services.workflow import FUNDABLE
from ui.campaign_progress import campaign_progress
from ui.context import act, current_viewer, label, money, read, t
from ui.money_sources import money_by_source_chart
from ui.plain_text import plain
from ui.widgets import empty_state, id_select, vocabulary_select


def _campaign(viewer: Viewer, campaign: CampaignProgress, may_manage: bool) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(campaign.title)}** · {plain(campaign.place)}")
        st.caption(t("donors.campaign_aim", aim=plain(campaign.aim)))
        if campaign.description:
            st.markdown(plain(campaign.description))
        campaign_progress(campaign)
        if (
            may_manage
            and campaign.state == "open"
            and st.button(t("donors.close_campaign"), key=f"close_{campaign.id}", width="stretch")
            and act(close_campaign, viewer, campaign_id=campaign.id)
        ):
            st.rerun()


def _open_form(viewer: Viewer, fund_id: int) -> None:
    """A campaign is for a funded proposal or a need posted by residents."""
    proposals = {p.id: p.title for p in read(list_proposals, statuses=FUNDABLE)}
    needs = {n.id: n.title for n in read(list_needs)}
    with st.form("open_campaign", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('donors.open_campaign')}**")
        title = st.text_input(t("field.title"), key="camp_title")
        description = st.text_area(t("field.description"), key="camp_description")
        proposal_id = id_select(
            t("field.proposal"), proposals, none=t("donors.no_proposal"), key="camp_proposal"
        )
        need_id = id_select(t("donors.need"), needs, none=t("donors.no_need"), key="camp_need")
        target = st.text_input(t("donors.target_yuan"), key="camp_target")
        deadline = st.date_input(
            t("donors.deadline"), value=date.today() + timedelta(days=30), key="camp_deadline"
        )
        if (
            st.form_submit_button(t("donors.open_campaign_submit"))
            and act(
                open_campaign,
                viewer,
                fund_id=fund_id,
                title=title,
                description=description,
                target=target,
                deadline=deadline,
                proposal_id=proposal_id,
                need_id=need_id,
            )
            is not None
        ):
            st.success(t("app.saved"))


def _revenue(viewer: Viewer, fund_id: int) -> None:
    assets = read(revenue_register, fund_id=fund_id)
    if not assets:
        empty_state("donors.no_assets")
    for asset in assets:
        st.markdown(
            f"- **{plain(asset.name)}** · {label('revenue_kind', asset.kind)} · "
            + t("donors.asset_income", income=money(asset.income_fen), entries=asset.entries)
            + (f"  \n  {plain(asset.description)}" if asset.description else "")
        )
    if not can_somewhere(viewer, Action.RECORD_REVENUE):
        return
    with st.form("register_asset", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('donors.register_asset')}**")
        name = st.text_input(t("field.name"), key="asset_name")
        kind = vocabulary_select(
            t("field.kind"), RevenueAssetKind, "revenue_kind", key="asset_kind"
        )
        description = st.text_input(t("field.description"), key="asset_description")
        if (
            st.form_submit_button(t("donors.register_asset_submit"))
            and act(
                register_revenue_asset,
                viewer,
                fund_id=fund_id,
                name=name,
                kind=kind,
                description=description,
            )
            is not None
        ):
            st.success(t("app.saved"))
    if not assets:
        return
    with st.form("record_revenue", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('donors.record_income')}**")
        asset_id = id_select(t("donors.asset"), {a.id: a.name for a in assets}, key="income_asset")
        amount = st.text_input(t("ledger.amount_yuan"), key="income_amount")
        purpose = st.text_input(t("field.purpose"), key="income_purpose")
        occurred = st.date_input(t("notice.date"), value=date.today(), key="income_date")
        if (
            st.form_submit_button(t("ledger.record"))
            and act(
                record_revenue,
                viewer,
                asset_id=asset_id,
                amount=amount,
                purpose=purpose,
                occurred_on=occurred,
            )
            is not None
        ):
            st.success(t("app.saved"))


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.campaigns"))
    balances = read(fund_balances)
    if not balances:
        empty_state("ledger.no_funds")
        return
    fund_id = id_select(
        t("notice.fund"), {b.fund_id: b.name for b in balances}, key="campaigns_fund"
    )
    may_manage = can_somewhere(viewer, Action.MANAGE_CAMPAIGN)
    st.subheader(t("donors.campaigns"), anchor=False)
    rows = read(campaigns, fund_id=fund_id)
    if not rows:
        empty_state("donors.no_campaigns")
    for campaign in rows:
        _campaign(viewer, campaign, may_manage)
    if may_manage:
        _open_form(viewer, fund_id)
    st.subheader(t("donors.sources"), anchor=False)
    (sources,) = read(money_by_source, fund_id=fund_id)
    money_by_source_chart(sources)
    st.subheader(t("donors.revenue"), anchor=False)
    _revenue(viewer, fund_id)


if __name__ == "__main__":
    st.switch_page("app.py")
