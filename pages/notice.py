"""The public notice board (公示栏): funds, every recent yuan in and out, results, proposals.
Opened on a phone, or projected in the community hall in wall mode (``/?view=wall``: large
type, one screen, nothing to type into); no sign-in needed. It redraws itself every few
seconds, from figures shared by every session (``ui.shared``)."""

from fractions import Fraction

import streamlit as st

from models.vocabulary import RoundPhase
from services.allocation import PublishedAllocation
from services.campaigns import CampaignProgress, FundSources
from services.charters import ExceptionRow
from services.ledger import FundBalance, LedgerLine, fund_balances
from services.notice import NoticeBoard
from services.permissions import ANONYMOUS
from services.rounds import RoundRow
from services.verify import BooksSeal
from services.workflow import Step, allows, is_before
from ui.campaign_progress import campaign_progress
from ui.context import day, label, listing, moment, money, read, t
from ui.i18n import format_percent
from ui.incidents import incidents_reported
from ui.ledger_files import ledger_downloads
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import allocation, fund_notice, round_notice
from ui.shared import (
    REFRESH_SECONDS,
    funds_spec,
    proposals_spec,
    shared_notice_board,
    shared_printouts,
)
from ui.widgets import empty_state, override_notice

VIEW_PARAM = "view"
WALL_VIEW = "wall"
WALL_KEY = "notice_wall"
WALL_RECENT = 3  # ledger lines that fit under the latest result at 1920x1080
# Open campaigns shown there too, each in the place of one ledger line (measured: a line and its
# bar take a little less height than an entry); the others are counted.
WALL_CAMPAIGNS = 2
# Styling only, and a constant: no user content ever goes through unsafe_allow_html. Read from
# the back of the hall at 1920x1080: body 29 px, figures 64 px.
WALL_CSS = """
<style>
.block-container { max-width: 100%; padding: 2.4rem 3rem 1rem; }
.st-key-wall_board h1 { font-size: 3.2rem; padding: 0; }
.st-key-wall_board h3 { font-size: 2.3rem; padding-top: 0.6rem; }
.st-key-wall_board [data-testid="stMarkdownContainer"] p,
.st-key-wall_board [data-testid="stMarkdownContainer"] li { font-size: 1.8rem; line-height: 1.35; }
.st-key-wall_board [data-testid="stCaptionContainer"] p { font-size: 1.75rem; }
.st-key-wall_board [data-testid="stMetricLabel"] p { font-size: 1.8rem; }
.st-key-wall_board [data-testid="stMetricValue"] { font-size: 4rem; line-height: 1.15; }
.st-key-wall_board [data-testid="stMetricValue"] p { font-size: 4rem; }
.st-key-wall_board [data-testid="stAlert"] [data-testid="stIconMaterial"] { font-size: 2rem; }
.st-key-wall_board code { font-size: 1.6rem; }
</style>
"""


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


def _wall_wanted() -> bool:
    """Wall mode from the address (what the hall's projector keeps), switched in the sidebar,
    which a projector keeps closed."""
    if WALL_KEY not in st.session_state:
        st.session_state[WALL_KEY] = st.query_params.get(VIEW_PARAM) == WALL_VIEW
    wall = bool(st.sidebar.toggle(t("notice.wall_mode"), key=WALL_KEY, help=t("notice.wall_help")))
    if wall:
        st.query_params[VIEW_PARAM] = WALL_VIEW
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]
    return wall


def render() -> None:
    if _wall_wanted():
        st.set_page_config(initial_sidebar_state="collapsed")
        st.markdown(WALL_CSS, unsafe_allow_html=True)
        _wall_board()
        return
    st.title(t("nav.notice"))
    st.caption(t("notice.intro"))
    _board()
    _downloads()


def _downloads() -> None:
    """Outside the board's refreshing fragment, and buttons rather than a picker: a redraw
    every few seconds would close an open drop-down list (seen in the browser tests). It reads
    the funds itself: a board that failed to draw has already reported its one incident."""
    balances = read(fund_balances)
    if not balances:
        return
    st.subheader(t("export.every_fund"), anchor=False)
    for balance in balances:
        st.markdown(f"**{plain(balance.name)}**")
        ledger_downloads(ANONYMOUS, balance.fund_id)  # the public file: anonymous donors masked
        report_buttons(
            ANONYMOUS,
            fund_notice.read_report,
            key=f"fund_notice_{balance.fund_id}",
            file_name=f"linli-fund-{balance.fund_id}-notice",
            fund_id=balance.fund_id,
        )
    rounds, allocations = shared_printouts()
    _result_printouts(rounds)
    _allocation_printouts(allocations)


def _allocation_printouts(allocations: tuple[PublishedAllocation, ...]) -> None:
    """Each published allocation for the board in the hall, through the allocation's report."""
    if not allocations:
        return
    st.subheader(t("reports.allocations"), anchor=False)
    for plan in allocations:
        st.markdown(f"**{_allocation_title(plan)}**")
        report_buttons(
            ANONYMOUS,
            allocation.read_report,
            key=f"allocation_notice_{plan.plan_id}",
            file_name=f"linli-allocation-{plan.plan_id}-{plan.year}",
            read_workbook=allocation.read_workbook,
            plan_id=plan.plan_id,
        )


def _allocation_title(plan: PublishedAllocation) -> str:
    return t(
        "reports.allocation_line",
        street=plain(plan.street),
        year=plan.year,
        total=money(plan.total_fen),
    )


def _allocations(allocations: list[PublishedAllocation]) -> None:
    """The street's published split of next year's seed money, a short list per plan."""
    if not allocations:
        return
    st.subheader(t("reports.allocations"), anchor=False)
    for plan in allocations:
        with st.container(border=True):
            lines = [f"**{_allocation_title(plan)}**"]
            lines += [f"- {plain(community)} · {money(fen)}" for community, fen in plan.split]
            st.markdown("\n".join(lines))


def _result_printouts(rounds: tuple[RoundRow, ...]) -> None:
    """Each published result as a notice for the board in the hall, A4: every round counted
    and published (tallied, or later)."""
    published = [r for r in rounds if not is_before(r.phase, RoundPhase.TALLIED)]
    if not published:
        return
    st.subheader(t("reports.results_to_print"), anchor=False)
    for budget_round in published:
        st.markdown(f"**{plain(budget_round.name)}**")
        report_buttons(
            ANONYMOUS,
            round_notice.read_report,
            key=f"round_notice_{budget_round.id}",
            file_name=f"linli-round-{budget_round.id}-result",
            round_id=budget_round.id,
        )


@st.fragment(run_every=REFRESH_SECONDS)
def _wall_board() -> None:
    with incidents_reported():
        _draw_wall()


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


def _headline(board: NoticeBoard) -> None:
    """Money raised and earmarked, and the votes open now: first on the phone and the wall."""
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


def _campaign(campaign: CampaignProgress) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(campaign.title)}** · {plain(campaign.place)}")
        campaign_progress(campaign)


def _campaigns(campaigns: list[CampaignProgress]) -> None:
    st.subheader(t("donors.campaigns"), anchor=False)
    if not campaigns:
        empty_state("donors.no_campaigns")
    for campaign in campaigns:
        _campaign(campaign)


def _sources(sources: list[FundSources]) -> None:
    """Where each fund's money came from, as bars of plain progress (no chart axes to read on
    a phone), with the share that did not come from government."""
    st.subheader(t("donors.sources"), anchor=False)
    for fund in sources:
        if not fund.total_fen:
            continue
        with st.container(border=True):
            st.markdown(f"**{plain(fund.name)}** · {money(fund.total_fen)}")
            st.caption(
                t(
                    "donors.non_government_share",
                    share=format_percent(fund.non_government_share),
                    amount=money(fund.non_government_fen),
                )
            )
            for source, fen in fund.by_source.items():
                st.progress(
                    fen / fund.total_fen,
                    text=f"{label('money_source', source)} · {money(fen)}",
                )


def _draw() -> None:
    """Lists, not grids: one column on a phone, large enough on the wall; a refresh draws a
    few elements from figures already computed."""
    board = shared_notice_board()
    _headline(board)

    st.subheader(t("notice.funds"), anchor=False)
    st.markdown("\n".join(_fund_line(b) for b in board.balances))
    community = [b for b in board.balances if b.kind == "community"]
    if community:
        rows = [(b.name, b.available_fen // 100, b.earmarked_fen // 100) for b in community]
        spec = funds_spec(rows, available=t("notice.available"), earmarked=t("notice.earmarked"))
        st.vega_lite_chart(spec=spec, width="stretch")

    _campaigns(board.campaigns)
    _sources(board.sources)

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

    _allocations(board.allocations)

    st.subheader(t("notice.recent"), anchor=False)
    if board.recent:
        st.markdown("\n".join(_ledger_line(line) for line in board.recent))
    else:
        empty_state("app.nothing_yet")
    _exceptions(board.charter_exceptions)
    _seal(board.seal)


def _exceptions(rows: list[ExceptionRow]) -> None:
    """What the committee let through against a fund's charter, which rules, why, who, when."""
    st.subheader(t("charters.exceptions"), anchor=False)
    st.caption(t("charters.exceptions_intro"))
    if not rows:
        empty_state("charters.no_exceptions")
    for row in rows:
        with st.container(border=True):
            rules = listing(t(f"charter_rule.{rule}") for rule in row.rules)
            what = t(
                "charters.exception_line",
                what=plain(row.proposal_title),
                stage=label("charter_stage", row.stage),
                rules=rules,
                fund=plain(row.fund),
            )
            st.markdown(f"**{what}**")
            st.markdown(plain(row.reason))
            by = t("charters.exception_meta", by=plain(row.decided_by), day=moment(row.decided_at))
            st.caption(by)


def _draw_wall() -> None:
    """One screen of the board for the hall at 1920x1080: the books' fingerprint, the headline
    figures, open votes, every fund beside the latest result, the open crowdfunding campaigns
    and the latest entries. Lists and plain bars only: the charts' labels are too small to read
    from the back of the hall."""
    board = shared_notice_board()
    with st.container(key="wall_board"):
        heading, seal = st.columns([3, 2], vertical_alignment="center")
        heading.title(t("nav.notice"), anchor=False)
        # The printed fingerprint is made by the books (ledger:<n>:<hex>), never typed.
        seal.markdown(f"{t('verify.seal_title')} `{board.seal.printed}`")
        _headline(board)
        left, right = st.columns(2, gap="large")
        with left:
            st.subheader(t("notice.funds"), anchor=False)
            st.markdown("\n".join(_fund_line(b) for b in board.balances))
        with right:
            st.subheader(t("notice.results"), anchor=False)
            if not board.results:
                empty_state("notice.no_results")
            for result in board.results[:1]:
                ballots = t("notice.ballots", count=result.ballots_counted)
                lines = [f"**{plain(result.round_name)}** · {ballots}"]
                lines += [f"- {plain(title)} · {money(fen)}" for _, title, fen in result.selected]
                st.markdown("\n".join(lines))
            shown = _wall_campaigns([c for c in board.campaigns if c.state == "open"])
            st.subheader(t("notice.recent"), anchor=False)
            recent = board.recent[: WALL_RECENT - shown]
            if recent:
                st.markdown("\n".join(_ledger_line(line) for line in recent))
            else:
                empty_state("app.nothing_yet")


def _wall_campaigns(open_campaigns: list[CampaignProgress]) -> int:
    """One line and one bar per open campaign, the share in figures (a bar alone is hard to
    judge from the back of the hall); nothing drawn when none is open. Returns how many."""
    if not open_campaigns:
        return 0
    st.subheader(t("wall.campaigns"), anchor=False)
    for campaign in open_campaigns[:WALL_CAMPAIGNS]:
        figures = t(
            "wall.campaign",
            raised=money(campaign.raised_fen),
            target=money(campaign.target_fen),
            share=format_percent(Fraction(campaign.raised_fen, campaign.target_fen)),
            days=campaign.days_left,
        )
        st.progress(campaign.share, text=f"**{plain(campaign.title)}** · {figures}")
    if len(open_campaigns) > WALL_CAMPAIGNS:
        st.caption(t("wall.more_campaigns", count=len(open_campaigns) - WALL_CAMPAIGNS))
    return min(len(open_campaigns), WALL_CAMPAIGNS)


if __name__ == "__main__":
    st.switch_page("app.py")
