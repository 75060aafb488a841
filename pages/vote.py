"""Voting: the ballot of each open round the viewer may vote in, voting with a household code,
a receipt check anyone can use, and for clerks paper-ballot entry (elderly residents often vote
on paper) and the printing of household codes."""

import streamlit as st

from models.vocabulary import BallotKind, ProposalStatus
from services.ballots import BallotChoice
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.proposals import ProposalRow, list_proposals
from services.rounds import (
    RoundRow,
    cast_ballot,
    check_receipt,
    enter_paper_ballot,
    has_voted,
    list_rounds,
)
from services.voting_codes import (
    CodeTarget,
    cast_ballot_with_code,
    code_targets,
    issue_voting_codes,
    open_code_ballot,
    register_households,
)
from ui.code_sheet import code_sheet_html
from ui.context import act, attempt, client_address, current_viewer, label, money, read, t
from ui.plain_text import plain
from ui.widgets import empty_state, id_select

OPENED_CODE = "household_code_opened"  # the code and what it opens, until the ballot is cast
CODE_RECEIPT = "household_code_receipt"
ISSUED_CODES = "household_codes_issued"  # shown once to the clerk who issued them


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
    """The same ballot for a resident online and for a clerk copying a paper sheet.
    Multiselect options are plain text; the other widgets' labels are markdown."""
    kind = budget_round.ballot_kind
    titles = {p.id: f"{p.title} · {p.place} · {money(p.requested_fen)}" for p in proposals}
    labels = {pid: plain(title) for pid, title in titles.items()}
    if kind == BallotKind.ORDINAL:
        ranking = st.multiselect(
            t("vote.rank_hint"),
            list(titles),
            format_func=titles.__getitem__,
            placeholder=t("widgets.choose_in_order"),
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
            for pid, title in labels.items()
        }
        return BallotChoice(points=points)
    approvals = tuple(
        pid for pid, title in labels.items() if st.checkbox(title, key=f"{prefix}_approve_{pid}")
    )
    return BallotChoice(approvals=approvals)


def _ballot(viewer: Viewer, budget_round: RoundRow) -> None:
    proposals = read(list_proposals, round_id=budget_round.id, statuses=(ProposalStatus.ON_BALLOT,))
    with st.container(border=True):
        st.subheader(plain(budget_round.name), anchor=False)
        st.caption(
            t(
                "vote.round_meta",
                place=plain(budget_round.place),
                budget=money(budget_round.budget_fen),
                rule=label("rule", budget_round.rule),
            )
        )
        if read(has_voted, viewer=viewer, round_id=budget_round.id):
            st.success(t("vote.already_voted"), icon=":material/task_alt:")
            return
        st.markdown(_rules(budget_round, len(proposals)))
        with st.form(f"ballot_{budget_round.id}", enter_to_submit=False):
            choice = _ballot_inputs(budget_round, proposals, f"ballot_{budget_round.id}")
            if st.form_submit_button(t("vote.cast"), type="primary"):
                receipt = act(cast_ballot, viewer, round_id=budget_round.id, ballot=choice)
                if receipt:
                    st.success(t("vote.cast_done", receipt=receipt), icon=":material/how_to_vote:")


def _paper_entry(viewer: Viewer, rounds: list[RoundRow]) -> None:
    with st.expander(t("vote.paper_title"), icon=":material/edit_note:"):
        names = {r.id: r.name for r in rounds}
        round_id = id_select(t("vote.round"), names, key="paper_round")
        budget_round = next(r for r in rounds if r.id == round_id)
        proposals = read(list_proposals, round_id=round_id, statuses=(ProposalStatus.ON_BALLOT,))
        with st.form("paper_ballot", clear_on_submit=True, enter_to_submit=False):
            sheet = st.text_input(t("field.sheet_number"), key="paper_sheet")
            choice = _ballot_inputs(budget_round, proposals, "paper")
            if (
                st.form_submit_button(t("vote.paper_enter"))
                and act(
                    enter_paper_ballot, viewer, round_id=round_id, sheet_number=sheet, ballot=choice
                )
                is not None
            ):
                st.success(t("vote.paper_done", sheet=plain(sheet)), icon=":material/check:")


def _code_ballot(viewer: Viewer, voting: list[RoundRow]) -> None:
    opened = st.session_state.get(OPENED_CODE)
    with st.expander(
        t("codes.vote_title"),
        icon=":material/pin:",
        expanded=viewer.is_anonymous or opened is not None or CODE_RECEIPT in st.session_state,
    ):
        if receipt := st.session_state.pop(CODE_RECEIPT, None):
            st.success(t("vote.cast_done", receipt=receipt), icon=":material/how_to_vote:")
        budget_round = next((r for r in voting if opened and r.id == opened["round_id"]), None)
        if opened is None or budget_round is None:
            st.session_state.pop(OPENED_CODE, None)
            with st.form("code_open", enter_to_submit=False):
                code = st.text_input(
                    t("codes.code"), key="household_code", placeholder="ABCD-EFGH-JKLM"
                )
                if st.form_submit_button(t("codes.open")):
                    found = attempt(
                        open_code_ballot,
                        code=code,
                        address=client_address(),
                        person_id=viewer.person_id,
                    )
                    if found:
                        st.session_state[OPENED_CODE] = {
                            "code": code,
                            "round_id": found.round_id,
                            "household": f"{found.compound} · {found.household}",
                        }
                        st.rerun()
            return
        st.markdown(f"**{plain(budget_round.name)}** · {plain(opened['household'])}")
        proposals = read(
            list_proposals, round_id=budget_round.id, statuses=(ProposalStatus.ON_BALLOT,)
        )
        st.markdown(_rules(budget_round, len(proposals)))
        with st.form("code_ballot", enter_to_submit=False):
            choice = _ballot_inputs(budget_round, proposals, "code")
            if st.form_submit_button(t("vote.cast"), type="primary"):
                receipt = attempt(
                    cast_ballot_with_code,
                    code=opened["code"],
                    ballot=choice,
                    address=client_address(),
                    person_id=viewer.person_id,
                )
                if receipt:
                    st.session_state.pop(OPENED_CODE)
                    st.session_state[CODE_RECEIPT] = receipt
                    st.rerun()
        if st.button(t("codes.cancel"), key="code_cancel"):
            st.session_state.pop(OPENED_CODE)
            st.rerun()


def _issued_codes() -> None:
    issued = st.session_state[ISSUED_CODES]
    st.warning(t("codes.shown_once"), icon=":material/print:")
    sheet = code_sheet_html(
        issued["round"], issued["compound"], issued["codes"], (st.context.url or "").split("?")[0]
    )
    st.download_button(
        t("codes.download_sheet"),
        sheet,
        file_name=f"voting-codes-{issued['round_id']}-{issued['compound_id']}.html",
        mime="text/html",
        key="download_codes",
        type="primary",
        icon=":material/download:",
    )
    st.dataframe(
        [
            {t("codes.household"): code.household, t("codes.code"): code.code}
            for code in issued["codes"]
        ],
        hide_index=True,
    )
    if st.button(t("codes.forget"), key="forget_codes"):
        st.session_state.pop(ISSUED_CODES)
        st.rerun()


def _issue_codes(viewer: Viewer, targets: list[CodeTarget]) -> None:
    with st.expander(t("codes.issue_title"), icon=":material/qr_code_2:"):
        if ISSUED_CODES in st.session_state:
            _issued_codes()
            return
        target = st.selectbox(
            t("codes.target"),
            targets,
            format_func=lambda target: f"{target.round_name} · {target.compound}",
            key="code_target",
        )
        st.caption(t("codes.target_meta", households=target.households, used=target.codes_used))
        with st.form("households", clear_on_submit=True, enter_to_submit=False):
            labels = st.text_area(
                t("codes.households"), placeholder="1-1-101\n1-1-102", key="household_labels"
            )
            if st.form_submit_button(t("codes.add_households")):
                added = act(
                    register_households, viewer, compound_id=target.compound_id, labels=labels
                )
                if added is not None:
                    st.success(t("codes.households_added", count=int(added)))
        if st.button(
            t("codes.issue"), key="issue_codes", disabled=not target.households, type="primary"
        ):
            codes = act(
                issue_voting_codes,
                viewer,
                round_id=target.round_id,
                compound_id=target.compound_id,
            )
            if codes:
                st.session_state[ISSUED_CODES] = {
                    "round": target.round_name,
                    "round_id": target.round_id,
                    "compound": target.compound,
                    "compound_id": target.compound_id,
                    "codes": codes,
                }
                st.rerun()


def _receipt_check() -> None:
    with (
        st.expander(t("vote.receipt_title"), icon=":material/receipt_long:"),
        st.form("receipt_check", enter_to_submit=False),
    ):
        code = st.text_input(
            t("vote.receipt_code"), key="receipt_code", placeholder="ABCD-EFGH-JKLM"
        )
        if st.form_submit_button(t("vote.receipt_check")):
            found = attempt(check_receipt, receipt_code=code)
            if found:
                titles = {p.id: p.title for p in read(list_proposals, round_id=found.round_id)}
                names = {r.id: r.name for r in read(list_rounds)}
                st.success(t("vote.receipt_found", round=plain(names.get(found.round_id, ""))))
                for proposal_id, points, rank in found.entries:
                    detail = (
                        f" · {points}"
                        if points is not None
                        else (f" · #{rank + 1}" if rank is not None else "")
                    )
                    st.markdown(f"- {plain(titles.get(proposal_id, str(proposal_id)))}{detail}")


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
    paper_places = read(places_where_allowed, viewer=viewer, action=Action.ENTER_PAPER_BALLOT)
    paper_rounds = [r for r in voting if r.place_id in paper_places]
    if paper_rounds:
        _paper_entry(viewer, paper_rounds)
    targets = read(code_targets, viewer=viewer)
    if targets:
        _issue_codes(viewer, targets)
    if voting:
        _code_ballot(viewer, voting)
    _receipt_check()


if __name__ == "__main__":
    st.switch_page("app.py")
