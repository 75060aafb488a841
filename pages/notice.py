"""The public notice board (公示栏): funds, every recent yuan in and out, results, proposals.
Projected in the community hall or opened on a phone; no sign-in needed."""

import streamlit as st

from services.notice import notice_board
from services.verify import BooksSeal
from ui import charts
from ui.context import day, label, moment, money, read, t
from ui.plain_text import plain
from ui.widgets import empty_state


def _seal(seal: BooksSeal) -> None:
    """The books' fingerprint, for the paper notice and the residents' group chat."""
    st.subheader(t("verify.seal_title"), anchor=False)
    st.code(seal.printed, language=None)
    st.caption(t("verify.seal_hint", entries=seal.entries))
    if seal.checked_at is None:
        st.caption(t("verify.never_checked"))
    elif seal.check_ok:
        st.caption(t("verify.checked_good", when=moment(seal.checked_at)))
    else:
        st.warning(t("verify.checked_bad", when=moment(seal.checked_at)), icon=":material/gpp_bad:")


def render() -> None:
    board = read(notice_board)
    st.title(t("nav.notice"))
    st.caption(t("notice.intro"))
    raised = sum(b.money_in_fen for b in board.balances if b.kind == "community")
    earmarked = sum(b.earmarked_fen for b in board.balances)
    voting = [r for r in board.rounds if r.phase == "voting"]
    first, second, third = st.columns(3)
    first.metric(t("notice.raised"), money(raised))
    second.metric(t("notice.earmarked"), money(earmarked))
    third.metric(t("notice.open_votes"), len(voting))
    for budget_round in voting:
        st.info(
            t("notice.vote_open", name=plain(budget_round.name), ballots=budget_round.ballots),
            icon=":material/how_to_vote:",
        )

    st.subheader(t("notice.funds"), anchor=False)
    st.dataframe(
        [
            {
                t("notice.fund"): b.name,
                t("notice.kind"): label("fund_kind", b.kind),
                t("notice.money_in"): money(b.money_in_fen),
                t("notice.money_out"): money(b.money_out_fen),
                t("notice.earmarked"): money(b.earmarked_fen),
                t("notice.available"): money(b.available_fen),
            }
            for b in board.balances
        ],
        hide_index=True,
        width="stretch",
    )
    community = [b for b in board.balances if b.kind == "community"]
    if community:
        st.altair_chart(
            charts.fund_balances(
                [
                    {
                        "fund": b.name,
                        "available_yuan": b.available_fen // 100,
                        "earmarked_yuan": b.earmarked_fen // 100,
                    }
                    for b in community
                ],
                available=t("notice.available"),
                earmarked=t("notice.earmarked"),
            ),
            width="stretch",
        )

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("notice.results"), anchor=False)
        if not board.results:
            empty_state("notice.no_results")
        for result in board.results:
            with st.container(border=True):
                ballots = t("notice.ballots", count=result.ballots_counted)
                st.markdown(f"**{plain(result.round_name)}** · {ballots}")
                for _, title, requested in result.selected:
                    st.markdown(f"- {plain(title)} · {money(requested)}")
    with right:
        st.subheader(t("notice.proposals"), anchor=False)
        if board.proposals_by_status:
            labels = {k: label("status", k) for k in board.proposals_by_status}
            st.altair_chart(
                charts.proposals_by_status(board.proposals_by_status, labels),
                width="stretch",
            )
        else:
            empty_state("app.nothing_yet")

    st.subheader(t("notice.recent"), anchor=False)
    st.dataframe(
        [
            {
                t("notice.date"): day(line.occurred_on),
                t("notice.fund"): line.fund,
                t("notice.kind"): label("ledger_kind", line.kind),
                t("notice.direction"): label("direction", line.direction),
                t("notice.amount"): money(line.amount_fen),
                t("notice.counterparty"): line.counterparty or t("notice.anonymous"),
                t("notice.purpose"): line.purpose,
            }
            for line in board.recent
        ],
        hide_index=True,
        width="stretch",
    )
    _seal(board.seal)


if __name__ == "__main__":
    st.switch_page("app.py")
