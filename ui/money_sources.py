"""Where a fund's money comes from, drawn the same on the fund screens: the share not from
government, an Altair chart (government grey), and the exact figures below it."""

import streamlit as st

from models.vocabulary import MoneySource
from services.campaigns import FundSources
from ui import charts
from ui.context import label, money, t
from ui.i18n import format_percent
from ui.widgets import empty_state


def money_by_source_chart(fund: FundSources) -> None:
    """The Altair chart of money by source, government grey, and the exact figures below."""
    if not fund.total_fen:
        empty_state("app.nothing_yet")
        return
    st.metric(
        t("donors.non_government_metric"),
        format_percent(fund.non_government_share),
        help=t("donors.non_government_help", amount=money(fund.non_government_fen)),
    )
    rows: list[dict[str, object]] = [
        {
            "source": label("money_source", source),
            "yuan": fen // 100,
            "government": source == MoneySource.GOVERNMENT,
        }
        for source, fen in fund.by_source.items()
    ]
    st.altair_chart(charts.money_by_source(rows, yuan=t("donors.yuan")), width="stretch")
    st.markdown(
        "\n".join(
            f"- {label('money_source', source)} · {money(fen)}"
            for source, fen in fund.by_source.items()
        )
    )
