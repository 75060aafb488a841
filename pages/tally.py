"""Results (计票): the committee counts the votes with the round's rule, reads the explanation,
and the chair publishes; everyone sees published results and why each project won or lost."""

from collections.abc import Callable
from fractions import Fraction

import streamlit as st

from models.vocabulary import ProposalStatus, RoundPhase
from services.permissions import Action, Viewer, can_somewhere
from services.rounds import RoundRow, advance_round, list_rounds
from services.tally import (
    RoundResult,
    count_votes,
    export_ballots,
    override_result,
    publish_tally,
    round_result,
)
from services.workflow import Step, allows, next_move
from ui import charts
from ui.context import act, current_viewer, label, moment, money, read, t, when_downloaded
from ui.measures import measure_sentence, measured
from ui.plain_text import plain
from ui.widgets import confirmed, empty_state, id_select
from voting import EqualSharesRows, ExplanationRows, GreedyRows, PhragmenRows


def _fen(amount: Fraction) -> str:
    """Exact fen (a voter's share can be a fraction of a fen), shown to the fen."""
    return money(int(amount))


def _greedy(rows: GreedyRows, name: Callable[[str], str]) -> None:
    for step in rows.steps:
        key = "tally.greedy_selected" if step.selected else "tally.greedy_no_fit"
        st.markdown(t(key, rank=step.rank, title=name(step.project)))


def _equal_shares(rows: EqualSharesRows, name: Callable[[str], str]) -> None:
    st.markdown(t("tally.mes_intro", share=_fen(rows.budget_per_voter)))
    for purchase in rows.purchases:
        st.markdown(
            t(
                "tally.mes_bought",
                title=name(purchase.project),
                round=purchase.round,
                supporters=purchase.supporters,
                price=_fen(purchase.most_paid_each),
            )
        )
    for loser in rows.losers:
        st.markdown(
            t(
                "tally.mes_lost",
                title=name(loser.project),
                supporters=loser.supporters,
                lacking=_fen(loser.lacking),
            )
        )
    if rows.completion is not None and rows.completion.steps:
        st.markdown(t("tally.completion"))
        _greedy(rows.completion, name)


def _phragmen(rows: PhragmenRows, name: Callable[[str], str]) -> None:
    st.markdown(t("tally.phragmen_intro"))
    for step in rows.steps:
        title = name(step.project)
        if step.load is None:
            st.markdown(t("tally.phragmen_unsupported", round=step.round, title=title))
        else:
            st.markdown(
                t(
                    "tally.phragmen_bought",
                    round=step.round,
                    title=title,
                    supporters=step.supporters,
                    load=_fen(step.load),
                )
            )
    if rows.stopped_by is not None:
        st.markdown(t("tally.phragmen_stopped", title=name(rows.stopped_by)))


def _explain(rows: ExplanationRows, titles: dict[str, str]) -> None:
    """Equal Shares: the round each winner was bought in and the most a supporter paid, and
    what each loser lacked; greedy: each project's rank and whether it no longer fitted;
    Phragmén: each purchase, the load its supporters then carried, and where it stopped."""

    def name(project: str) -> str:
        return plain(titles.get(project, project))

    if isinstance(rows, EqualSharesRows):
        _equal_shares(rows, name)
    elif isinstance(rows, PhragmenRows):
        _phragmen(rows, name)
    else:
        _greedy(rows, name)


def _count_and_publish(viewer: Viewer, budget_round: RoundRow, result: RoundResult | None) -> None:
    if allows(budget_round.phase, Step.CAST_BALLOT):
        st.info(t("tally.count_after_close"), icon=":material/how_to_vote:")
    if not allows(budget_round.phase, Step.COUNT):
        return
    if can_somewhere(viewer, Action.TALLY_ROUND):
        again = result is not None and result.published_at is None
        if (
            st.button(
                t("tally.count_again" if again else "tally.count"),
                key="count_votes",
                type="primary",
            )
            and act(count_votes, viewer, round_id=budget_round.id) is not None
        ):
            st.rerun()
    if (
        result is not None
        and result.published_at is None
        and can_somewhere(viewer, Action.PUBLISH_TALLY)
        and confirmed(
            "publish_tally",
            t("tally.publish"),
            t("tally.publish_confirm", phase=label("phase", RoundPhase.TALLIED)),
        )
        and act(publish_tally, viewer, tally_id=result.tally_id) is not None
    ):
        st.rerun()


def _advance(viewer: Viewer, budget_round: RoundRow) -> None:
    move = next_move(budget_round.phase)
    if move is None or not can_somewhere(viewer, Action.MANAGE_ROUND):
        return
    if not move.by_hand:
        st.caption(t("tally.publish_moves_on", phase=label("phase", move.target)))
        return
    target = label("phase", move.target)
    if (
        confirmed(
            "advance_round",
            t("tally.advance_to", phase=target),
            t("tally.advance_confirm", phase=target),
        )
        and act(advance_round, viewer, round_id=budget_round.id) is not None
    ):
        st.rerun()


def _lines(result: RoundResult) -> None:
    """A list, not a grid: residents read results on their phones. Under each project, what
    the count's measures say: a winner's margin, or what a loser lacked."""
    measures = result.measures if measured(result.measures) else None
    shown = []
    for line in result.lines:
        outcome = t("tally.won") if line.won else t("tally.lost")
        note = f" · {t('tally.overridden')}" if line.overridden else ""
        item = (
            f"- **{plain(line.title)}** · {money(line.requested_fen)} · "
            f"{t('tally.support')} {line.support} · {outcome}{note}"
        )
        measure = None if measures is None else measures.get(str(line.proposal_id))
        if measure is not None:  # a line break inside the item, not a new item
            item += f"  \n  {measure_sentence(measure)}"
        shown.append(item)
    st.markdown("\n".join(shown))
    if measures is not None:
        st.caption(t("measures.about"))
        if measures.notes:
            st.caption(t("measures.bounded"))


def _overrides(result: RoundResult) -> None:
    if not result.overrides:
        return
    st.subheader(t("tally.overrides"), anchor=False)
    for override in result.overrides:
        made = t("tally.won") if override.selected else t("tally.lost")
        st.warning(
            t(
                "tally.override_line",
                title=plain(override.title),
                outcome=made,
                at=moment(override.at),
            )
            + "  \n"
            + t("tally.override_reason", reason=plain(override.reason)),
            icon=":material/gavel:",
        )


def _override_form(viewer: Viewer, budget_round: RoundRow, result: RoundResult) -> None:
    if not (
        allows(budget_round.phase, Step.OVERRIDE_RESULT)
        and can_somewhere(viewer, Action.OVERRIDE_RESULT)
    ):
        return
    changeable = {
        line.proposal_id: f"{line.title} · {label('status', line.status)}"
        for line in result.lines
        if line.status in (ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED)
    }
    if not changeable:
        return
    with st.expander(t("tally.override"), icon=":material/gavel:"):
        st.caption(t("tally.override_help"))
        with st.form("override_result", enter_to_submit=False):
            proposal_id = id_select(t("tally.project"), changeable, key="override_proposal")
            reason = st.text_area(t("tally.override_reason_field"), key="override_reason")
            if st.form_submit_button(t("tally.override_submit")) and (
                act(override_result, viewer, proposal_id=proposal_id, reason=reason) is not None
            ):
                st.rerun()


def _round(viewer: Viewer, budget_round: RoundRow) -> None:
    round_id = budget_round.id
    result = read(round_result, viewer=viewer, round_id=round_id)
    a, b, c = st.columns(3)
    a.metric(t("tally.phase"), label("phase", budget_round.phase))
    b.metric(
        t("tally.ballots"),
        budget_round.ballots,
        help=t("tally.paper_share", paper=budget_round.paper_ballots),
    )
    c.metric(t("field.budget"), money(budget_round.budget_fen))
    _count_and_publish(viewer, budget_round, result)
    if result is None:
        empty_state("tally.no_result")
    else:
        if result.published_at is None:
            st.warning(
                t("tally.unpublished", at=moment(result.computed_at)),
                icon=":material/visibility_off:",
            )
        else:
            st.success(
                t("tally.published", at=moment(result.published_at)), icon=":material/campaign:"
            )
        st.caption(
            t(
                "tally.rule",
                rule=label("rule", result.rule),
                tie_break=label("tie_break", result.tie_break),
                ballots=result.ballots_counted,
            )
        )
        x, y = st.columns(2)
        x.metric(t("tally.total_cost"), money(result.total_cost_fen))
        y.metric(t("tally.leftover"), money(result.leftover_fen))
        _overrides(result)
        if result.lines:
            st.altair_chart(
                charts.result_bars(
                    [
                        {"title": line.title, "support": line.support, "won": line.won}
                        for line in result.lines
                    ],
                    support=t("tally.support"),
                    won=t("tally.won"),
                    lost=t("tally.lost"),
                ),
                width="stretch",
            )
            _lines(result)
        if result.explanation is not None:
            with st.expander(t("tally.why"), icon=":material/help:"):
                _explain(
                    result.explanation,
                    {str(line.proposal_id): line.title for line in result.lines},
                )
        # Made on the click: with every ballot of the round, it would slow every run. Whoever
        # sees a result may export its ballots (published: everyone; else the committee).
        st.download_button(
            t("tally.export_ballots"),
            when_downloaded(export_ballots, viewer, round_id=round_id),
            file_name=f"linli-round-{round_id}.pb",
            mime="text/plain",
            key="export_ballots",
            on_click="ignore",
            icon=":material/download:",
            help=t("tally.export_ballots_help"),
        )
        _override_form(viewer, budget_round, result)
    _advance(viewer, budget_round)


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.tally"))
    rounds = read(list_rounds)
    if not rounds:
        empty_state("tally.no_rounds")
        return
    # The phase is not in the label: Streamlit keeps showing an option's old text when only its
    # text changes, so the label would lag behind the round; the phase metric below says it.
    names = {r.id: r.name for r in rounds}
    round_id = id_select(t("vote.round"), names, key="tally_round")
    _round(viewer, next(r for r in rounds if r.id == round_id))


if __name__ == "__main__":
    st.switch_page("app.py")
