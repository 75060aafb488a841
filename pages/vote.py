"""Voting: the ballot of each open round the viewer may vote in, a receipt check anyone can use,
and paper-ballot entry for clerks (elderly residents often vote on paper)."""

import streamlit as st

from models.base import BallotKind, ProposalStatus
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.proposals import ProposalRow, list_proposals
from services.rounds import (
    BallotChoice,
    RoundRow,
    cast_ballot,
    check_receipt,
    enter_paper_ballot,
    has_voted,
    list_rounds,
)
from ui.context import act, attempt, current_viewer, day, label, money, read, t
from ui.widgets import empty_state


def _rules(budget_round: RoundRow, on_ballot: int) -> str:
    most = budget_round.max_length or on_ballot
    if budget_round.ballot_kind == BallotKind.CUMULATIVE:
        return t("vote.rules_cumulative", total=budget_round.max_sum_points, most=most)
    if budget_round.ballot_kind == BallotKind.SCORES:
        return t("vote.rules_scores", max=budget_round.max_points)
    if budget_round.ballot_kind == BallotKind.ORDINAL:
        return t("vote.rules_ordinal", least=budget_round.min_length, most=most)
    return t("vote.rules_approval", least=budget_round.min_length, most=most)


def _ballot_inputs(
    budget_round: RoundRow, proposals: list[ProposalRow], prefix: str
) -> BallotChoice:
    """The same ballot for a resident online and for a clerk copying a paper sheet."""
    kind = budget_round.ballot_kind
    titles = {p.id: f"{p.title} · {p.place} · {money(p.requested_fen)}" for p in proposals}
    if kind == BallotKind.ORDINAL:
        ranking = st.multiselect(
            t("vote.rank_hint"),
            list(titles),
            format_func=titles.__getitem__,
            key=f"{prefix}_ranking",
        )
        return BallotChoice(ranking=tuple(ranking))
    if kind in (BallotKind.CUMULATIVE, BallotKind.SCORES):
        most = budget_round.max_points or budget_round.max_sum_points or 10
        points = {
            pid: int(
                st.number_input(
                    title, min_value=0, max_value=most, step=1, key=f"{prefix}_points_{pid}"
                )
            )
            for pid, title in titles.items()
        }
        return BallotChoice(points=points)
    approvals = tuple(
        pid for pid, title in titles.items() if st.checkbox(title, key=f"{prefix}_approve_{pid}")
    )
    return BallotChoice(approvals=approvals)


def _ballot(viewer: Viewer, budget_round: RoundRow) -> None:
    proposals = read(list_proposals, round_id=budget_round.id, statuses=(ProposalStatus.ON_BALLOT,))
    with st.container(border=True):
        st.subheader(budget_round.name, anchor=False)
        st.caption(
            t(
                "vote.round_meta",
                place=budget_round.place,
                budget=money(budget_round.budget_fen),
                rule=label("rule", budget_round.rule),
            )
        )
        if read(has_voted, viewer=viewer, round_id=budget_round.id):
            st.success(t("vote.already_voted"), icon=":material/task_alt:")
            return
        st.markdown(_rules(budget_round, len(proposals)))
        with st.form(f"ballot_{budget_round.id}"):
            choice = _ballot_inputs(budget_round, proposals, f"ballot_{budget_round.id}")
            if st.form_submit_button(t("vote.cast"), type="primary"):
                receipt = act(cast_ballot, viewer, round_id=budget_round.id, ballot=choice)
                if receipt:
                    st.success(t("vote.cast_done", receipt=receipt), icon=":material/how_to_vote:")


def _paper_entry(viewer: Viewer, rounds: list[RoundRow]) -> None:
    with st.expander(t("vote.paper_title"), icon=":material/edit_note:"):
        names = {r.id: r.name for r in rounds}
        round_id = st.selectbox(
            t("vote.round"), list(names), format_func=names.__getitem__, key="paper_round"
        )
        budget_round = next(r for r in rounds if r.id == round_id)
        proposals = read(list_proposals, round_id=round_id, statuses=(ProposalStatus.ON_BALLOT,))
        with st.form("paper_ballot", clear_on_submit=True):
            sheet = st.text_input(t("field.sheet_number"), key="paper_sheet")
            choice = _ballot_inputs(budget_round, proposals, "paper")
            if st.form_submit_button(t("vote.paper_enter")) and act(
                enter_paper_ballot, viewer, round_id=round_id, sheet_number=sheet, ballot=choice
            ):
                st.success(t("vote.paper_done", sheet=sheet), icon=":material/check:")


def _receipt_check() -> None:
    with (
        st.expander(t("vote.receipt_title"), icon=":material/receipt_long:"),
        st.form("receipt_check"),
    ):
        code = st.text_input(
            t("vote.receipt_code"), key="receipt_code", placeholder="ABCD-EFGH-JKLM"
        )
        if st.form_submit_button(t("vote.receipt_check")):
            found = attempt(check_receipt, receipt_code=code)
            if found:
                titles = {p.id: p.title for p in read(list_proposals, round_id=found.round_id)}
                st.success(
                    t(
                        "vote.receipt_found",
                        day=day(found.cast_on),
                        channel=label("channel", found.channel),
                    )
                )
                for proposal_id, points, rank in found.entries:
                    detail = (
                        f" · {points}"
                        if points is not None
                        else (f" · #{rank + 1}" if rank is not None else "")
                    )
                    st.markdown(f"- {titles.get(proposal_id, proposal_id)}{detail}")


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.vote"))
    voting = [r for r in read(list_rounds) if r.phase == "voting"]
    mine = read(places_where_allowed, viewer=viewer, action=Action.CAST_BALLOT)
    open_to_me = [r for r in voting if r.place_id in mine]
    if not voting:
        empty_state("vote.none_open")
    elif viewer.is_anonymous:
        st.info(t("vote.sign_in_to_vote"), icon=":material/login:")
    elif not open_to_me and not can_somewhere(viewer, Action.ENTER_PAPER_BALLOT):
        empty_state("vote.none_for_you")
    for budget_round in open_to_me:
        _ballot(viewer, budget_round)
    paper_rounds = [
        r
        for r in voting
        if r.place_id in read(places_where_allowed, viewer=viewer, action=Action.ENTER_PAPER_BALLOT)
    ]
    if paper_rounds:
        _paper_entry(viewer, paper_rounds)
    _receipt_check()


if __name__ == "__main__":
    st.switch_page("app.py")
