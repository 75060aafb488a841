"""Fund and ledger (基金与账目): balances, every entry, the charter; the treasurer and clerks
record money here. Entries are never edited: a mistake is corrected by a reversal."""

from datetime import date

import streamlit as st

from models.vocabulary import (
    AttachmentKind,
    ContributionKind,
    DonorKind,
    LedgerKind,
    PaymentRequestStatus,
)
from services.campaigns import campaigns, money_by_source
from services.charters import current_charter
from services.donors import donor_accounts, receipt_number
from services.expenses import (
    FundBudget,
    ProposalBudget,
    approve_payment,
    fund_budget,
    payment_requests,
    reject_payment,
    request_payment,
)
from services.ledger import (
    allocate_to_proposal,
    contributions,
    fund_balances,
    fund_ledger,
    record_contribution,
    record_donation,
    record_expense,
    reverse_entry,
)
from services.permissions import Action, Viewer, can_somewhere
from services.proposals import list_proposals
from services.uploads import accepted_extensions, max_upload_mb, open_attachment
from services.workflow import FUNDABLE
from ui.charter_terms import charter_terms
from ui.context import act, current_viewer, day, label, money, read, t
from ui.forms import FieldForm, show_breaches
from ui.ledger_files import ledger_downloads
from ui.money_sources import money_by_source_chart
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import fund_notice
from ui.widgets import empty_state, grid, id_select, status_badge, vocabulary_select


def _lines_table(lines: list) -> None:
    grid(
        [
            {
                "#": line.id,
                t("notice.date"): day(line.occurred_on),
                t("notice.kind"): label("ledger_kind", line.kind),
                t("notice.direction"): label("direction", line.direction),
                t("notice.amount"): money(line.amount_fen),
                t("notice.counterparty"): line.counterparty or t("notice.anonymous"),
                t("notice.purpose"): line.purpose,
                t("field.invoice_number"): line.invoice_number or "",
                t("field.receipt_number"): line.receipt_number or "",
            }
            for line in lines
        ],
    )


def _money_in(viewer: Viewer, fund_id: int) -> None:
    """A gift names its donor's kind and is general, or designated for a funded proposal or an
    open campaign; the receipt number to write on the donor's receipt is shown once saved."""
    funded = {p.id: p.title for p in read(list_proposals, statuses=FUNDABLE)}
    open_campaigns = {c.id: c.title for c in read(campaigns, fund_id=fund_id) if c.state == "open"}
    accounts = read(donor_accounts, viewer=viewer, fund_id=fund_id)
    form = FieldForm("money_in")  # a refusal under its field: a project outside the fund's area
    with st.form("money_in", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('ledger.money_in')}**")
        kind = vocabulary_select(
            t("field.kind"),
            LedgerKind,
            "ledger_kind",
            key="in_kind",
            options=["donation", "grant", "revenue"],
        )
        donor_kind = vocabulary_select(
            t("field.donor_kind"), DonorKind, "donor_kind", key="in_donor_kind"
        )
        proposal_id = id_select(
            t("donors.designated_for"), funded, none=t("donors.general_gift"), key="in_project"
        )
        form.error_at("proposal")
        campaign_id = id_select(
            t("donors.campaign"), open_campaigns, none=t("donors.no_campaign"), key="in_campaign"
        )
        left, right = st.columns(2)
        amount = left.text_input(t("ledger.amount_yuan"), key="in_amount")
        occurred = right.date_input(t("notice.date"), value=date.today(), key="in_date")
        donor = st.text_input(t("field.donor"), key="in_donor")
        donor_person_id = id_select(
            t("donors.donor_account"), accounts, none=t("donors.no_account"), key="in_person"
        )
        purpose = st.text_input(t("field.purpose"), key="in_purpose")
        anonymous = st.checkbox(t("ledger.anonymous"), key="in_anonymous")
        form.other_errors()
        if not st.form_submit_button(t("ledger.record")):
            return
        entry_id = form.submit(
            record_donation,
            viewer,
            fund_id=fund_id,
            amount=amount,
            donor=donor,
            purpose=purpose,
            occurred_on=occurred,
            is_anonymous=anonymous,
            kind=kind,
            donor_kind=donor_kind if kind == LedgerKind.DONATION else None,
            proposal_id=proposal_id if kind == LedgerKind.DONATION else None,
            campaign_id=campaign_id if kind == LedgerKind.DONATION else None,
            donor_person_id=donor_person_id if kind == LedgerKind.DONATION else None,
        )
        if entry_id is None:
            return
        if kind == LedgerKind.DONATION:
            number = act(receipt_number, viewer, entry_id=entry_id)
            st.success(t("donors.receipt_given", number=number or ""))
        else:
            st.success(t("app.saved"))


def _money_out(viewer: Viewer, fund_id: int) -> None:
    """An allocation to a funded project, a cost of the fund itself, a reversal. A project's
    expenses are not here: they go through a payment request and a second member's approval."""
    funded = {p.id: p.title for p in read(list_proposals, statuses=FUNDABLE)}
    with st.form("allocation", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('ledger.allocate')}**")
        proposal_id = id_select(t("ledger.project"), funded, key="out_project")
        left, right = st.columns(2)
        amount = left.text_input(t("ledger.amount_yuan"), key="out_amount")
        occurred = right.date_input(t("notice.date"), value=date.today(), key="out_date")
        purpose = st.text_input(t("field.purpose"), key="out_purpose")
        if (
            st.form_submit_button(t("ledger.record"))
            and act(
                allocate_to_proposal,
                viewer,
                fund_id=fund_id,
                proposal_id=proposal_id,
                amount=amount,
                occurred_on=occurred,
                purpose=purpose,
            )
            is not None
        ):
            st.success(t("app.saved"))
    with st.form("fund_cost", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('ledger.fund_cost')}**")
        st.caption(t("ledger.fund_cost_note"))
        left, right = st.columns(2)
        amount = left.text_input(t("ledger.amount_yuan"), key="cost_amount")
        occurred = right.date_input(t("notice.date"), value=date.today(), key="cost_date")
        payee = st.text_input(t("field.payee"), key="cost_payee")
        purpose = st.text_input(t("field.purpose"), key="cost_purpose")
        invoice = st.text_input(t("field.invoice_number"), key="cost_invoice")
        if (
            st.form_submit_button(t("ledger.record"))
            and act(
                record_expense,
                viewer,
                fund_id=fund_id,
                amount=amount,
                payee=payee,
                purpose=purpose,
                invoice_number=invoice,
                occurred_on=occurred,
            )
            is not None
        ):
            st.success(t("app.saved"))
    with st.form("reversal", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('ledger.reverse')}**")
        left, right = st.columns([1, 3])
        entry_id = left.number_input("#", min_value=1, step=1, key="reverse_id")
        reason = right.text_input(t("field.reason"), key="reverse_reason")
        if (
            st.form_submit_button(t("ledger.reverse_button"))
            and act(
                reverse_entry,
                viewer,
                entry_id=int(entry_id),
                reason=reason,
                occurred_on=date.today(),
            )
            is not None
        ):
            st.success(t("app.saved"))


def _payment_request(viewer: Viewer, fund_id: int, budgets: list[ProposalBudget]) -> None:
    """The treasurer's request: one column, the receipt taken by the phone's camera or files."""
    st.markdown(f"**{t('ledger.payment_request')}**")
    st.caption(t("ledger.payment_request_note"))
    if not budgets:
        empty_state("ledger.no_fundable")
        return
    by_id = {b.proposal_id: b for b in budgets}
    form = FieldForm("payment_request")  # the charter's refusals, each under its field
    proposal_id = id_select(
        t("ledger.project"), {b.proposal_id: b.title for b in budgets}, key="pay_project"
    )
    form.error_at("proposal")
    lines = {line.line_item_id: line.description for line in by_id[proposal_id].lines}
    line_id = id_select(t("ledger.budget_line"), lines, key=f"pay_line_{proposal_id}")
    form.error_at("line_item", "line_items")
    sent = st.session_state.get("pay_sent", 0)  # new, empty fields after each request sent
    amount = st.text_input(t("ledger.amount_yuan"), key=f"pay_amount_{sent}")
    form.error_at("amount")
    payee = st.text_input(t("field.payee"), key=f"pay_payee_{sent}")
    form.error_at("payee")
    purpose = st.text_input(t("field.purpose"), key=f"pay_purpose_{sent}")
    form.error_at("purpose")
    invoice = st.text_input(t("field.invoice_number"), key=f"pay_invoice_{sent}")
    form.error_at("invoice_number")
    occurred = st.date_input(t("notice.date"), value=date.today(), key=f"pay_date_{sent}")
    receipt = st.file_uploader(
        t("ledger.receipt"),
        type=accepted_extensions(AttachmentKind.RECEIPT),
        max_upload_size=max_upload_mb(AttachmentKind.RECEIPT),
        key=f"pay_receipt_{sent}",
    )
    form.other_errors()
    # Once refused by the charter, the treasurer may send it on for the chair to decide.
    ask = bool(form.breaches()) and st.checkbox(t("charters.ask_exception"), key=f"pay_ask_{sent}")
    if not st.button(
        t("ledger.send_request"), key=f"pay_send_{sent}", type="primary", width="stretch"
    ):
        return
    if receipt is None:
        st.error(t("ledger.receipt_required"))
        return
    if (
        form.submit(
            request_payment,
            viewer,
            fund_id=fund_id,
            proposal_id=proposal_id,
            line_item_id=line_id,
            amount=amount,
            payee=payee,
            purpose=purpose,
            invoice_number=invoice,
            occurred_on=occurred,
            receipt_name=receipt.name,
            receipt_data=receipt.getvalue(),
            ask_exception=ask,
        )
        is not None
    ):
        st.session_state["pay_sent"] = sent + 1
        st.toast(t("app.saved"))
        st.rerun()


def _receipt(viewer: Viewer, attachment_id: int) -> None:
    opened = act(open_attachment, viewer, attachment_id=attachment_id)
    if opened is None:
        return
    info, data = opened
    if info.is_image:
        st.image(data, caption=plain(info.original_name), width="stretch")
    else:
        st.download_button(
            t("ledger.open_receipt"),
            data,
            file_name=info.original_name,
            mime=info.content_type,
            key=f"receipt_{attachment_id}",
            on_click="ignore",
        )


def _requests(viewer: Viewer, fund_id: int) -> None:
    """The queue: waiting requests first, each with its receipt, and approve / reject for a
    committee member who did not file it."""
    rows = act(payment_requests, viewer, fund_id=fund_id)  # refused outside the viewer's books
    if rows is None:
        return
    if not rows:
        empty_state("ledger.no_requests")
    for row in rows:
        with st.container(border=True):
            st.markdown(
                plain(
                    t("ledger.request_line", project=row.proposal_title, line=row.line_description)
                )
            )
            status_badge("payment_status", row.status)
            st.caption(
                plain(
                    t(
                        "ledger.request_meta",
                        amount=money(row.amount_fen),
                        payee=row.payee,
                        invoice=row.invoice_number,
                        day=day(row.occurred_on),
                        by=row.submitted_by,
                    )
                )
            )
            st.markdown(plain(row.purpose))
            if row.status == "rejected":
                st.warning(plain(t("ledger.rejected_because", reason=row.reason)))
            if row.decided_by:
                st.caption(plain(t("ledger.decided_by", by=row.decided_by)))
            with st.expander(t("ledger.open_receipt"), icon=":material/receipt_long:"):
                _receipt(viewer, row.receipt_attachment_id)
            if row.breaches and row.status == PaymentRequestStatus.SUBMITTED:
                st.markdown(t("charters.breaks"))
                show_breaches([b.as_param() for b in row.breaches])
            if row.status != PaymentRequestStatus.SUBMITTED:
                continue
            if not row.may_decide:
                st.caption(t("ledger.own_request"))
                continue
            override = (
                st.text_input(
                    t("field.override_reason"),
                    max_chars=500,
                    help=t("charters.override_help"),
                    key=f"override_{row.id}",
                )
                if row.breaches
                else ""
            )
            if st.button(
                t("ledger.approve"), key=f"approve_{row.id}", type="primary", width="stretch"
            ) and (
                act(approve_payment, viewer, request_id=row.id, override_reason=override)
                is not None
            ):
                st.rerun()
            reason = st.text_input(t("ledger.reject_reason"), key=f"reject_reason_{row.id}")
            if st.button(t("ledger.reject"), key=f"reject_{row.id}", width="stretch") and act(
                reject_payment, viewer, request_id=row.id, reason=reason
            ):
                st.rerun()


def _budgets(fund: FundBudget) -> None:
    """For the fund, then per proposal and per budget line: planned against paid (approved
    requests), and what closed projects gave back. Cards, not a grid: read on phones too."""
    if not fund.projects:
        empty_state("ledger.no_budget")
        return
    figures = (
        ("ledger.fund_planned", fund.planned_fen),
        ("ledger.fund_allocated", fund.allocated_fen),
        ("ledger.fund_spent", fund.spent_fen),
        ("ledger.fund_returned", fund.returned_fen),
        ("ledger.fund_unspent", fund.unspent_fen),
    )
    with st.container(border=True, key="fund_budget"):
        for column, (key, fen) in zip(st.columns(len(figures)), figures, strict=True):
            column.metric(t(key), money(fen))
    for budget in fund.projects:
        with st.container(border=True, key=f"budget_{budget.proposal_id}"):
            st.markdown(f"**{plain(budget.title)}**")
            status_badge("status", budget.status)
            st.caption(
                t(
                    "ledger.project_money",
                    allocated=money(budget.allocated_fen),
                    spent=money(budget.spent_fen),
                    returned=money(budget.returned_fen),
                    unspent=money(budget.unspent_fen),
                )
            )
            st.caption(
                t(
                    "ledger.budget_totals",
                    planned=money(budget.planned_fen),
                    actual=money(budget.actual_fen),
                    waiting=money(budget.waiting_fen),
                )
            )
            for line in budget.lines:
                st.markdown(plain(line.description))
                share = line.actual_fen / line.planned_fen if line.planned_fen else 0.0
                st.progress(
                    min(share, 1.0),
                    text=t(
                        "ledger.budget_row",
                        planned=money(line.planned_fen),
                        actual=money(line.actual_fen),
                        left=money(line.left_fen),
                    ),
                )
                if line.waiting_fen:
                    st.caption(t("ledger.budget_waiting", waiting=money(line.waiting_fen)))


def _contribution(viewer: Viewer, fund_id: int) -> None:
    with st.form("contribution", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('ledger.contribution')}**")
        kinds = [k.value for k in ContributionKind if k is not ContributionKind.MONEY]
        kind = vocabulary_select(
            t("field.kind"), ContributionKind, "contribution_kind", key="c_kind", options=kinds
        )
        contributor = st.text_input(t("ledger.contributor"), key="c_who")
        description = st.text_input(t("field.description"), key="c_what")
        left, right = st.columns(2)
        value = left.text_input(t("ledger.estimated_value"), key="c_value")
        hours = right.number_input(t("ledger.hours"), min_value=0, step=1, key="c_hours")
        if (
            st.form_submit_button(t("ledger.record"))
            and act(
                record_contribution,
                viewer,
                fund_id=fund_id,
                kind=kind,
                contributor=contributor,
                description=description,
                estimated_value=value,
                hours=int(hours) or None,
                occurred_on=date.today(),
            )
            is not None
        ):
            st.success(t("app.saved"))


def _notice_printout(viewer: Viewer, fund_id: int, *, books: bool) -> None:
    """The fund's notice on paper: with donors named where the viewer may see the books."""
    st.caption(t("reports.notice_printout"))
    report_buttons(
        viewer,
        fund_notice.read_report,
        key=f"ledger_notice_{fund_id}",
        file_name=f"linli-fund-{fund_id}-{'books' if books else 'notice'}",
        fund_id=fund_id,
        books=books,
    )


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.ledger"))
    balances = read(fund_balances)
    if not balances:
        empty_state("ledger.no_funds")
        return
    names = {b.fund_id: b.name for b in balances}
    fund_id = id_select(t("notice.fund"), names, key="ledger_fund")
    balance = next(b for b in balances if b.fund_id == fund_id)
    a, b, c, d = st.columns(4)
    a.metric(t("notice.money_in"), money(balance.money_in_fen))
    b.metric(t("notice.money_out"), money(balance.money_out_fen))
    c.metric(t("notice.earmarked"), money(balance.earmarked_fen))
    d.metric(t("notice.available"), money(balance.available_fen))
    charter = read(current_charter, fund_id=fund_id)
    if charter is not None:
        with st.expander(t("ledger.charter", version=charter.version), icon=":material/gavel:"):
            st.markdown(plain(charter.text))
            charter_terms(charter)
    fund = read(fund_budget, fund_id=fund_id)
    tabs = [
        t("ledger.entries"),
        t("ledger.budget_tab"),
        t("ledger.contributions"),
        t("donors.sources"),
    ]
    ledger = read(fund_ledger, viewer=viewer, fund_id=fund_id)
    # Requests wait with receipts not yet public: for those who see this fund's full books.
    payable = [p for p in fund.projects if p.status in FUNDABLE]  # a closed one is paid no more
    may_see_requests = ledger.full_books and (
        can_somewhere(viewer, Action.APPROVE_EXPENSE)
        or can_somewhere(viewer, Action.RECORD_EXPENSE)
    )
    if may_see_requests:
        tabs.append(t("ledger.requests_tab"))
    may_record = can_somewhere(viewer, Action.RECORD_DONATION) or can_somewhere(
        viewer, Action.RECORD_EXPENSE
    )
    if may_record:
        tabs.append(t("ledger.record_tab"))
    shown = dict(zip(tabs, st.tabs(tabs), strict=True))
    with shown[t("ledger.entries")]:
        if ledger.full_books:
            st.caption(t("ledger.books_note"))
        _lines_table(ledger.lines)
        st.caption(t("export.title"))
        ledger_downloads(viewer, fund_id)
        if ledger.full_books:
            ledger_downloads(viewer, fund_id, books=True)
        _notice_printout(viewer, fund_id, books=ledger.full_books)
    with shown[t("ledger.budget_tab")]:
        _budgets(fund)
    with shown[t("ledger.contributions")]:
        rows = read(contributions, fund_id=fund_id)
        if not rows:
            empty_state("app.nothing_yet")
        grid(
            [
                {
                    t("field.kind"): label("contribution_kind", c.kind),
                    t("ledger.contributor"): c.contributor,
                    t("field.description"): c.description,
                    t("ledger.hours"): c.hours,
                    t("ledger.estimated_value"): money(c.estimated_value_fen),
                    t("notice.date"): day(c.occurred_on),
                }
                for c in rows
            ],
        )
    with shown[t("donors.sources")]:
        (sources,) = read(money_by_source, fund_id=fund_id)
        money_by_source_chart(sources)
    if may_see_requests:
        with shown[t("ledger.requests_tab")]:
            if can_somewhere(viewer, Action.RECORD_EXPENSE):
                with st.container(border=True):
                    _payment_request(viewer, fund_id, payable)
            _requests(viewer, fund_id)
    if may_record:
        with shown[t("ledger.record_tab")]:
            if can_somewhere(viewer, Action.RECORD_DONATION):
                _money_in(viewer, fund_id)
                _contribution(viewer, fund_id)
            if can_somewhere(viewer, Action.RECORD_EXPENSE):
                _money_out(viewer, fund_id)


if __name__ == "__main__":
    st.switch_page("app.py")
