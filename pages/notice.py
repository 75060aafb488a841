"""The public notice board (公示栏): funds, every recent yuan in and out, results, proposals.
Projected in the community hall or opened on a phone; no sign-in needed. It redraws itself
every few seconds, from figures shared by every session (``ui.shared``)."""

import streamlit as st

from services.ledger import FundBalance, LedgerLine
from services.verify import BooksSeal
from services.workflow import Step, allows
from ui.context import day, label, moment, money, t
from ui.incidents import incidents_reported
from ui.plain_text import plain
from ui.shared import REFRESH_SECONDS, funds_spec, proposals_spec, shared_notice_board
from ui.widgets import empty_state, override_notice


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
    st.title(t("nav.notice"))
    st.caption(t("notice.intro"))
    _board()


@st.fragment(run_every=REFRESH_SECONDS)
def _board() -> None:
    with incidents_reported():  # a fragment's rerun does not pass through app.py's
        _draw()


def _fund_line(balance: FundBalance) -> str:
    figures = t(
        "notice.fund_figures",
        money_in=money(balance.money_in_fen),
        money_out=money(balance.money_out_fen),
        earmarked=money(balance.earmarked_fen),
        available=money(balance.available_fen),
    )
    return f"- **{plain(balance.name)}** · {label('fund_kind', balance.kind)}  \n  {figures}"


def _ledger_line(line: LedgerLine) -> str:
    who = plain(line.counterparty) if line.counterparty else t("notice.anonymous")
    return (
        f"- {day(line.occurred_on)} · **{label('direction', line.direction)} "
        f"{money(line.amount_fen)}** · {plain(line.fund)}  \n"
        f"  {label('ledger_kind', line.kind)} · {who} · {plain(line.purpose)}"
    )


def _draw() -> None:
    """Lists, not grids: one column on a phone, large enough on the wall; a refresh draws a
    few elements from figures already computed."""
    board = shared_notice_board()
    raised = sum(b.money_in_fen for b in board.balances if b.kind == "community")
    earmarked = sum(b.earmarked_fen for b in board.balances)
    voting = [r for r in board.rounds if allows(r.phase, Step.CAST_BALLOT)]
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
    st.markdown("\n".join(_fund_line(b) for b in board.balances))
    community = [b for b in board.balances if b.kind == "community"]
    if community:
        rows = [(b.name, b.available_fen // 100, b.earmarked_fen // 100) for b in community]
        spec = funds_spec(rows, available=t("notice.available"), earmarked=t("notice.earmarked"))
        st.vega_lite_chart(spec=spec, width="stretch")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("notice.results"), anchor=False)
        if not board.results:
            empty_state("notice.no_results")
        for result in board.results:
            with st.container(border=True):
                ballots = t("notice.ballots", count=result.ballots_counted)
                lines = [f"**{plain(result.round_name)}** · {ballots}"]
                lines += [f"- {plain(title)} · {money(fen)}" for _, title, fen in result.selected]
                st.markdown("\n".join(lines))
                for override in result.overrides:
                    override_notice(override)
    with right:
        st.subheader(t("notice.proposals"), anchor=False)
        if board.proposals_by_status:
            labels = {k: label("status", k) for k in board.proposals_by_status}
            spec = proposals_spec(board.proposals_by_status, labels)
            st.vega_lite_chart(spec=spec, width="stretch")
        else:
            empty_state("app.nothing_yet")

    st.subheader(t("notice.recent"), anchor=False)
    if board.recent:
        st.markdown("\n".join(_ledger_line(line) for line in board.recent))
    else:
        empty_state("app.nothing_yet")
    _seal(board.seal)


if __name__ == "__main__":
    st.switch_page("app.py")
