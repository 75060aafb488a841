"""Live screen (实时大屏): a round's turnout as ballots arrive, and its result once published.

Projected in the community hall at 1920x1080 and read from the back of the room, or followed
on a phone. Public: nothing to type into and nothing private; the committee sees what everyone
sees. The figures redraw themselves every few seconds from a cache that every session of this
process shares (ui/shared.py), so a hundred screens cost one computation per interval.
"""

from fractions import Fraction

import streamlit as st

from models.vocabulary import RoundPhase
from services.rounds import RoundRow, list_rounds
from services.turnout import PublishedResult, Turnout
from services.workflow import Step, allows, is_before
from ui.context import day, label, locale, money, read, t
from ui.i18n import DEFAULT_TIMEZONE, format_permille
from ui.incidents import incidents_reported
from ui.plain_text import plain
from ui.shared import REFRESH_SECONDS, result_chart, shared_turnout
from ui.widgets import empty_state

MOST_BARS = 12  # a city's round has 160 projects: the wall shows the funded and the closest
ROUND_PARAM = "round"  # /live?round=3: the address a projector keeps
# Styling only, and a constant: no user content ever goes through unsafe_allow_html.
LIVE_CSS = """
<style>
.block-container { max-width: 100%; padding: 1.5rem 3rem 1rem; }
.st-key-live h1 { font-size: 3.4rem; padding-bottom: 0.2rem; }
.st-key-live h3 { font-size: 2.4rem; }
.st-key-live [data-testid="stCaptionContainer"] p { font-size: 1.8rem; }
.st-key-live .stMarkdown p, .st-key-live [data-testid="stAlert"] p { font-size: 2rem; }
.st-key-live [data-testid="stAlert"] [data-testid="stIconMaterial"] { font-size: 2.2rem; }
.st-key-live [data-testid="stMetricLabel"] p { font-size: 1.9rem; }
.st-key-live [data-testid="stMetricValue"] { font-size: 4rem; line-height: 1.15; }
.st-key-live_headline [data-testid="stMetricValue"] { font-size: 5.5rem; }
@media (max-width: 640px) {
  .block-container { padding: 3rem 1rem 1rem; }
  .st-key-live h1 { font-size: 2rem; }
  .st-key-live h3 { font-size: 1.5rem; }
  .st-key-live [data-testid="stCaptionContainer"] p { font-size: 1.1rem; }
  .st-key-live .stMarkdown p, .st-key-live [data-testid="stAlert"] p { font-size: 1.2rem; }
  .st-key-live [data-testid="stMetricLabel"] p { font-size: 1.1rem; }
  .st-key-live [data-testid="stMetricValue"] { font-size: 2.2rem; }
  .st-key-live_headline [data-testid="stMetricValue"] { font-size: 3rem; }
  .st-key-live [data-testid="stColumn"] { min-width: calc(50% - 1rem); }
  .st-key-live_headline [data-testid="stColumn"] { min-width: 0; }
}
</style>
"""


def _percent(share: Fraction | None) -> str:
    return "–" if share is None else format_permille(round(share * 1000), locale())


def _chosen_round(rounds: list[RoundRow]) -> int:
    """The round in the address, else the newest one open for voting, else the newest; chosen
    again by a click in the sidebar (no typing), which puts it in the address."""
    names = {r.id: f"{r.name} · {label('phase', r.phase)}" for r in rounds}
    wanted = str(st.query_params.get(ROUND_PARAM, ""))
    default = next((r.id for r in rounds if allows(r.phase, Step.CAST_BALLOT)), rounds[0].id)
    if wanted.isdigit() and int(wanted) in names:
        default = int(wanted)
    chosen: int = st.sidebar.radio(
        t("live.round"),
        list(names),
        index=list(names).index(default),
        format_func=names.__getitem__,
        key="live_round",
    )
    st.query_params[ROUND_PARAM] = str(chosen)
    return chosen


def _turnout(turnout: Turnout) -> None:
    ballots = turnout.ballots
    with st.container(key="live_headline"):
        cast, households, share = st.columns(3)
        cast.metric(t("live.ballots"), ballots.total)
        households.metric(
            t("live.households"),
            "–" if turnout.eligible_households is None else turnout.eligible_households,
        )
        share.metric(t("live.turnout"), _percent(turnout.share))
    if turnout.share is not None:
        st.progress(float(min(turnout.share, Fraction(1))))
    online, paper, code, imported = st.columns(4)
    online.metric(t("live.online"), ballots.online)
    paper.metric(t("live.paper"), ballots.paper)
    code.metric(t("live.code"), ballots.code)
    imported.metric(t("live.imported"), ballots.imported)


def _result(result: PublishedResult) -> None:
    st.subheader(t("live.result", at=day(result.published_at)), anchor=False)
    funded = [bar for bar in result.bars if bar.selected]
    st.markdown(
        t(
            "live.funded",
            count=len(funded),
            total=money(result.total_cost_fen),
            budget=money(result.budget_fen),
            ballots=result.ballots_counted,
        )
    )
    shown = result.bars[:MOST_BARS]
    if shown:
        chart = result_chart(shown, won=t("tally.won"), lost=t("tally.lost"))
        st.vega_lite_chart(spec=chart, width="stretch")
    if len(result.bars) > len(shown):
        st.caption(t("live.more_projects", count=len(result.bars) - len(shown)))


@st.fragment(run_every=REFRESH_SECONDS)
def _board(round_id: int) -> None:
    with incidents_reported():  # a fragment's rerun does not pass through app.py's
        _draw(round_id)


def _draw(round_id: int) -> None:
    turnout = shared_turnout(round_id)
    with st.container(key="live"):
        st.title(plain(turnout.round_name), anchor=False)
        updated = turnout.as_of.astimezone(DEFAULT_TIMEZONE).strftime("%H:%M:%S")
        st.caption(
            t(
                "live.about",
                place=plain(turnout.place),
                phase=label("phase", turnout.phase),
                time=updated,
            )
        )
        _turnout(turnout)
        if turnout.result is not None:
            _result(turnout.result)
        elif turnout.counted:
            # An unpublished count is committee material: only that it exists.
            st.info(t("live.counted"), icon=":material/hourglass_top:")
        elif is_before(turnout.phase, RoundPhase.VOTING):
            st.info(t("live.not_open"), icon=":material/schedule:")


def render() -> None:
    st.set_page_config(initial_sidebar_state="collapsed")
    st.markdown(LIVE_CSS, unsafe_allow_html=True)
    rounds = read(list_rounds)
    if not rounds:
        st.title(t("nav.live"))
        empty_state("live.no_rounds")
        return
    _board(_chosen_round(rounds))


if __name__ == "__main__":
    st.switch_page("app.py")
