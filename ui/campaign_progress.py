"""A campaign's progress, drawn the same on the notice board and the Campaigns screen, so a
donor reads one bar and one line of days left wherever they look."""

import streamlit as st

from services.campaigns import CampaignProgress
from ui.context import day, label, money, t


def campaign_progress(campaign: CampaignProgress) -> None:
    """The bar a thumb's width (raised against target, gifts counted) and how long it has left."""
    st.progress(
        campaign.share,
        text=t(
            "donors.campaign_progress",
            raised=money(campaign.raised_fen),
            target=money(campaign.target_fen),
            gifts=campaign.gifts,
        ),
    )
    if campaign.state == "open":
        st.caption(
            t("donors.campaign_open", deadline=day(campaign.deadline), days=campaign.days_left)
        )
    else:
        st.caption(label("campaign_state", campaign.state))
