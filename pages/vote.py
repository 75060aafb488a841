"""Voting: the ballot of each open round the viewer may vote in, voting with a household code,
a receipt check anyone can use, and for clerks paper ballots keyed twice (elderly residents
often vote on paper) and the printing of household codes. The resident's ballot and receipt are
drawn by ``ui.ballot``."""

import streamlit as st

from models.vocabulary import BallotKind, PaperSheetStatus, ProposalStatus
from services.ballots import BallotChoice
from services.paper import (
    PaperCounts,
    SheetState,
    SheetToCheck,
    key_paper_sheet,
    paper_sheet_counts,
    paper_sheets_to_check,
    settle_paper_sheet,
)
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.proposals import ProposalRow, list_proposals
from services.rounds import (
    RoundRow,
    cast_ballot,
    change_ballot,
    check_receipt,
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
from services.workflow import Step, allows
from ui.ballot import (
    keep_receipt,
    kept_receipt,
    kept_receipts,
    prefill_ballot,
    resident_ballot,
    show_receipt_check,
)
from ui.code_sheet import code_sheet_html
from ui.context import act, attempt, client_address, current_viewer, label, moment, money, read, t
from ui.plain_text import plain
from ui.widgets import empty_state, grid, id_select

OPENED_CODE = "household_code_opened"  # the code and what it opens, until the ballot is cast
ISSUED_CODES = "household_codes_issued"  # shown once to the clerk who issued them
PAPER_NOTICE = "paper_sheet_notice"  # what became of the sheet just keyed or settled
# (intent, the sheet's status after it) -> message and how it is shown
PAPER_MESSAGES = {
    ("key", PaperSheetStatus.KEYED_ONCE): ("paper.keyed_once", "info"),
    ("key", PaperSheetStatus.CONFIRMED): ("paper.confirmed", "success"),
    ("key", PaperSheetStatus.DIFFERS): ("paper.differs", "warning"),
    ("settle", PaperSheetStatus.CONFIRMED): ("paper.confirmed", "success"),
    ("settle", PaperSheetStatus.DIFFERS): ("paper.still_differs", "warning"),
}
Entry = tuple[int, int | None, int | None]


def _page_address() -> str:
    """Where a receipt is checked: this page, as the browser asked for it."""
    return (st.context.url or "").split("?")[0]


def _ballot_inputs(
    budget_round: RoundRow, proposals: list[ProposalRow], prefix: str
) -> BallotChoice:
    """A clerk copying a paper sheet, in a form (a knapsack sheet is ticked like approval).
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
            kept_receipts("online", _page_address(), round_id=budget_round.id)
            if budget_round.ballot_changes_allowed:
                _change_ballot(viewer, budget_round, proposals)
            return
        choice = resident_ballot(viewer, budget_round, proposals, f"ballot_{budget_round.id}")
        if choice is not None:
            receipt = act(cast_ballot, viewer, round_id=budget_round.id, ballot=choice)
            if receipt:
                keep_receipt(receipt, budget_round, "online")
                st.rerun()


def _change_ballot(viewer: Viewer, budget_round: RoundRow, proposals: list[ProposalRow]) -> None:
    """Where the round allows it: the receipt (the one kept on this device is filled in) opens
    the ballot as it stands, to change and cast again; the new receipt replaces the old one."""
    prefix = f"change_{budget_round.id}"
    changing = st.session_state.get(f"{prefix}_receipt")
    if changing is None:
        kept = kept_receipt(budget_round.id)
        with (
            st.expander(t("vote.change_title"), icon=":material/edit:"),
            st.form(f"{prefix}_open", enter_to_submit=False),
        ):
            st.caption(t("vote.change_intro"))
            code = st.text_input(
                t("vote.receipt_code"),
                value=kept,
                key=f"{prefix}_code_{kept}",
                placeholder="ABCD-EFGH-JKLM",
            )
            if st.form_submit_button(t("vote.change_open"), key=f"{prefix}_open_ballot"):
                found = attempt(check_receipt, receipt_code=code)
                if found and found.round_id != budget_round.id:
                    st.error(t("vote.change_other_round"), icon=":material/error:")
                elif found:
                    prefill_ballot(prefix, budget_round, found)
                    st.session_state[f"{prefix}_receipt"] = code
                    st.rerun()
        return
    with st.container(border=True):
        st.subheader(t("vote.change_title"), anchor=False)
        st.caption(t("vote.change_editing"))
        choice = resident_ballot(viewer, budget_round, proposals, prefix, t("vote.change_cast"))
        if choice is not None:
            receipt = act(
                change_ballot,
                viewer,
                round_id=budget_round.id,
                receipt_code=changing,
                ballot=choice,
                address=client_address(),
            )
            if receipt:
                st.session_state.pop(f"{prefix}_receipt")
                keep_receipt(receipt, budget_round, "online", replaces=changing)
                st.rerun()
        if st.button(t("vote.change_cancel"), key=f"{prefix}_cancel", width="stretch"):
            st.session_state.pop(f"{prefix}_receipt")
            st.rerun()


def _paper_notice() -> None:
    """What became of the last sheet keyed or settled, shown once after the rerun."""
    notice = st.session_state.pop(PAPER_NOTICE, None)
    if notice is None:
        return
    key, shown = PAPER_MESSAGES[(notice["intent"], notice["status"])]
    text = t(key, sheet=plain(notice["sheet"]))
    {"success": st.success, "info": st.info, "warning": st.warning}[shown](text)


def _paper_done(intent: str, state: SheetState | None) -> None:
    if state is not None:
        st.session_state[PAPER_NOTICE] = {
            "intent": intent,
            "status": state.status,
            "sheet": state.sheet_number,
        }
        st.rerun()


def _paper_counts(counts: PaperCounts) -> None:
    with st.container(horizontal=True):  # one row, on a phone too
        st.metric(t("paper.count_keyed_once"), counts.keyed_once)
        st.metric(t("paper.count_differs"), counts.differs)
        st.metric(t("paper.count_confirmed"), counts.confirmed)
    if counts.awaiting_second:
        sheets = ", ".join(plain(number) for number in counts.awaiting_second)
        st.caption(t("paper.awaiting_second", sheets=sheets))


def _reading_text(entries: list[Entry], titles: dict[int, str], common: set[Entry]) -> str:
    """A reading as a list of the projects it marks; marks the other readings lack in bold."""
    lines = []
    for entry in sorted(entries, key=lambda entry: (entry[2] or 0, entry[0])):
        proposal_id, points, rank = entry
        detail = f" · {points}" if points is not None else ""
        if rank is not None:
            detail = f" · #{rank + 1}"
        text = f"{plain(titles.get(proposal_id, str(proposal_id)))}{detail}"
        lines.append(f"- {text}" if entry in common else f"- **{text}**")
    return "\n".join(lines) or t("paper.nothing_marked")


def _settle(
    viewer: Viewer, budget_round: RoundRow, sheet: SheetToCheck, choice: BallotChoice
) -> None:
    """The third look's answer: the reading the paper bears out, or the sheet keyed again."""
    _paper_done(
        "settle",
        act(
            settle_paper_sheet,
            viewer,
            round_id=budget_round.id,
            sheet_number=sheet.sheet_number,
            ballot=choice,
        ),
    )


def _sheet_to_check(
    viewer: Viewer,
    budget_round: RoundRow,
    proposals: list[ProposalRow],
    sheet: SheetToCheck,
) -> None:
    """The readings side by side (stacked on a phone), each with the button that picks it."""
    titles = {p.id: p.title for p in proposals}
    common = set.intersection(*(set(reading.entries) for reading in sheet.readings))
    with st.container(border=True):
        st.markdown(f"**{t('paper.sheet', sheet=plain(sheet.sheet_number))}**")
        if not sheet.can_settle:
            st.caption(t("paper.yours"))
        for number, (column, reading) in enumerate(
            zip(st.columns(len(sheet.readings)), sheet.readings, strict=True), start=1
        ):
            with column:
                st.caption(
                    t(
                        "paper.reading",
                        number=number,
                        name=plain(reading.keyed_by),
                        time=moment(reading.keyed_at),
                    )
                )
                st.markdown(_reading_text(reading.entries, titles, common))
                if sheet.can_settle and st.button(
                    t("paper.pick"),
                    key=f"paper_pick_{budget_round.id}_{sheet.sheet_number}_{number}",
                    icon=":material/check:",
                ):
                    _settle(viewer, budget_round, sheet, reading.choice)
        if sheet.can_settle and st.toggle(
            t("paper.rekey"), key=f"paper_rekey_{budget_round.id}_{sheet.sheet_number}"
        ):
            with st.form(
                f"paper_rekey_form_{budget_round.id}_{sheet.sheet_number}", enter_to_submit=False
            ):
                prefix = f"paper_rekey_{budget_round.id}_{sheet.sheet_number}"
                choice = _ballot_inputs(budget_round, proposals, prefix)
                if st.form_submit_button(t("paper.rekey_submit"), key=f"{prefix}_submit"):
                    _settle(viewer, budget_round, sheet, choice)


def _paper_sheets(viewer: Viewer, keying: list[RoundRow], settling: list[RoundRow]) -> None:
    """Paper ballots by double entry: the clerk keys a sheet (blind to other readings), sees
    where the round's sheets stand, and whoever may settle sees the sheets read differently."""
    with st.expander(
        t("paper.title"), icon=":material/edit_note:", expanded=PAPER_NOTICE in st.session_state
    ):
        rounds = {r.id: r for r in [*keying, *settling]}
        round_id = id_select(
            t("vote.round"), {r.id: r.name for r in rounds.values()}, key="paper_round"
        )
        budget_round = rounds[round_id]
        proposals = read(list_proposals, round_id=round_id, statuses=(ProposalStatus.ON_BALLOT,))
        st.caption(t("paper.intro"))
        _paper_notice()
        _paper_counts(read(paper_sheet_counts, viewer=viewer, round_id=round_id))
        if any(r.id == round_id for r in keying):
            with st.form("paper_ballot", clear_on_submit=True, enter_to_submit=False):
                sheet = st.text_input(t("field.sheet_number"), key="paper_sheet")
                choice = _ballot_inputs(budget_round, proposals, "paper")
                if st.form_submit_button(t("paper.key"), key="paper_key", type="primary"):
                    _paper_done(
                        "key",
                        act(
                            key_paper_sheet,
                            viewer,
                            round_id=round_id,
                            sheet_number=sheet,
                            ballot=choice,
                        ),
                    )
        if any(r.id == round_id for r in settling):
            st.subheader(t("paper.queue_title"), anchor=False)
            queue = read(paper_sheets_to_check, viewer=viewer, round_id=round_id)
            if not queue:
                empty_state("paper.queue_empty")
                return
            st.caption(t("paper.queue_intro"))
            for to_check in queue:
                _sheet_to_check(viewer, budget_round, proposals, to_check)


def _code_ballot(viewer: Viewer, voting: list[RoundRow]) -> None:
    """A household code opens its round's ballot, drawn like an online one; the receipt stays
    below until the voter closes it."""
    opened = st.session_state.get(OPENED_CODE)
    budget_round = next((r for r in voting if opened and r.id == opened["round_id"]), None)
    if opened is None or budget_round is None:
        st.session_state.pop(OPENED_CODE, None)
        kept_receipts("code", _page_address())
        with (
            st.expander(t("codes.vote_title"), icon=":material/pin:", expanded=viewer.is_anonymous),
            st.form("code_open", enter_to_submit=False),
        ):
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
    with st.container(border=True):
        st.subheader(t("codes.vote_title"), anchor=False)
        st.markdown(f"**{plain(budget_round.name)}** · {plain(opened['household'])}")
        proposals = read(
            list_proposals, round_id=budget_round.id, statuses=(ProposalStatus.ON_BALLOT,)
        )
        choice = resident_ballot(viewer, budget_round, proposals, "code")
        if choice is not None:
            receipt = attempt(
                cast_ballot_with_code,
                code=opened["code"],
                ballot=choice,
                address=client_address(),
                person_id=viewer.person_id,
            )
            if receipt:
                st.session_state.pop(OPENED_CODE)
                keep_receipt(receipt, budget_round, "code")
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
    grid(
        [
            {t("codes.household"): code.household, t("codes.code"): code.code}
            for code in issued["codes"]
        ],
        stretch=False,
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
                show_receipt_check(found)


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.vote"))
    voting = [r for r in read(list_rounds) if allows(r.phase, Step.CAST_BALLOT)]
    mine = read(places_where_allowed, viewer=viewer, action=Action.CAST_BALLOT)
    open_to_me = [r for r in voting if r.place_id in mine]
    if not voting:
        empty_state("vote.none_open")
    elif viewer.is_anonymous:
        st.info(t("vote.sign_in_to_vote"), icon=":material/login:")
    elif not open_to_me and not any(
        can_somewhere(viewer, action)
        for action in (Action.ENTER_PAPER_BALLOT, Action.SETTLE_PAPER_SHEET)
    ):
        empty_state("vote.none_for_you")
    for budget_round in open_to_me:
        _ballot(viewer, budget_round)
    keying, settling = (
        [r for r in voting if r.place_id in read(places_where_allowed, viewer=viewer, action=a)]
        for a in (Action.ENTER_PAPER_BALLOT, Action.SETTLE_PAPER_SHEET)
    )
    if keying or settling:
        _paper_sheets(viewer, keying, settling)
    targets = read(code_targets, viewer=viewer)
    if targets:
        _issue_codes(viewer, targets)
    if voting:
        _code_ballot(viewer, voting)
    _receipt_check()


if __name__ == "__main__":
    st.switch_page("app.py")
