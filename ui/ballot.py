"""The resident's ballot and receipt, shared by online voting and voting with a household code.

The ballot is not a form: each tick reruns the script, so a knapsack ballot's money-left bar
follows the boxes as they are ticked. Each proposal opens its details on demand (the expander
runs its content only when open, so photos are read for the proposals asked about). The bar and
the cast button stay at the bottom of the screen while the list scrolls, which on a phone is
where the thumb is. A cast ballot's receipt stays in the session until the voter closes it: it
can be copied, downloaded as a picture or a PDF, and checked against the ballot box.
"""

from functools import partial
from typing import Any

import streamlit as st

from models.vocabulary import AttachmentKind, BallotKind
from services.ballots import BallotChoice
from services.election import APPROVAL_KINDS, POINTS_KINDS
from services.permissions import Viewer
from services.proposals import ProposalRow, list_proposals, proposal_detail
from services.rounds import ReceiptCheck, RoundRow, check_receipt, list_rounds
from services.uploads import list_attachments, open_attachment
from ui.context import act, attempt, label, money, read, t
from ui.images import thumbnail
from ui.plain_text import plain
from ui.receipt import ReceiptText, receipt_pdf, receipt_png

RECEIPTS = "ballot_receipts"  # the receipts cast in this session, until the voter closes them
MOST_PHOTOS = 3
# The bar sticks to the bottom of the screen while its ballot is on it (Streamlit wraps each
# container in a layout wrapper of the same height: that wrapper is what sticks); the receipt's
# code is large enough to copy by hand, and its copy button shows without a hover (phones).
_STYLE = """
<style>
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-ballot_bar_"]) {
  position: sticky; bottom: 0; z-index: 5;
}
[class*="st-key-ballot_bar_"] {
  padding: 0.6rem 0 0.5rem; background: BACKGROUND;
  border-top: 1px solid rgba(128, 128, 128, 0.35);
}
/* A row's second line (place and amount) wraps between words but never inside an amount; on
   a phone at 200% zoom (195 CSS px) the rows and their card keep half their side padding, so
   that "¥18,600.00" in large text fits on a line of its own. */
[data-testid="stVerticalBlock"][class*="_item_"] [data-testid="stCaptionContainer"] {
  overflow-wrap: normal; word-break: normal;
}
@media (max-width: 300px) {
  [data-testid="stVerticalBlock"][class*="_item_"],
  [data-testid="stVerticalBlock"]:has(> [data-testid="stLayoutWrapper"] > [class*="_item_"]) {
    padding-left: 0.5rem; padding-right: 0.5rem;
  }
}
[class*="st-key-receipt_box_"] [data-testid="stCode"] code {
  font-size: 1.35rem; letter-spacing: 0.08em;
}
[class*="st-key-receipt_box_"] [data-testid="stCode"]
  > div:has([data-testid="stElementToolbarButton"]) {
  opacity: 1; visibility: visible;
}
</style>
"""
BACKGROUNDS = {"dark": "#0e1117"}  # Streamlit's own page backgrounds; light otherwise


def _style() -> None:
    theme = st.context.theme.type if st.context.theme else None
    st.html(_STYLE.replace("BACKGROUND", BACKGROUNDS.get(str(theme), "#ffffff")))


def _rules(budget_round: RoundRow, on_ballot: int) -> str:
    most = budget_round.max_length or on_ballot
    kind = budget_round.ballot_kind
    if kind == BallotKind.CUMULATIVE:
        return t("vote.rules_cumulative", total=budget_round.max_sum_points, most=most)
    if kind == BallotKind.SCORES:
        return t("vote.rules_scores", max=budget_round.max_points)
    if kind == BallotKind.ORDINAL:
        return t("vote.rules_ordinal", least=budget_round.min_length, most=most)
    if kind == BallotKind.KNAPSACK:
        return t("vote.rules_knapsack", budget=money(budget_round.budget_fen))
    return t("vote.rules_approval", least=budget_round.min_length, most=most)


def _details(viewer: Viewer, proposal: ProposalRow, key: str) -> None:
    """Summary, photos, what it costs and who else pays: read only when opened."""
    opened = st.expander(t("vote.details"), key=key, on_change="rerun", icon=":material/info:")
    if not opened.open:
        return
    with opened:
        detail = read(proposal_detail, proposal_id=proposal.id)
        st.markdown(plain(detail.summary))
        photos = [
            info
            for info in read(list_attachments, viewer=viewer, proposal_id=proposal.id)
            if info.kind == AttachmentKind.PHOTO
        ]
        for info in photos[:MOST_PHOTOS]:
            if found := act(open_attachment, viewer, attachment_id=info.id):
                st.image(thumbnail(found[1]), caption=plain(info.original_name))
        st.markdown(
            t(
                "vote.detail_money",
                cost=money(proposal.cost_fen),
                co_funding=money(proposal.co_funding_fen),
                requested=money(proposal.requested_fen),
            )
        )
        st.markdown(f"**{t('field.line_items')}**")
        st.markdown(
            "\n".join(
                f"- {plain(item.description)} × {item.quantity} · "
                f"{money(item.quantity * item.unit_price_fen)}"
                for item in detail.line_items
            )
        )
        if detail.pledges:
            st.markdown(f"**{t('field.co_funding')}**")
            st.markdown(
                "\n".join(
                    f"- {label('cofunding_source', pledge.source_kind)} · "
                    f"{plain(pledge.source_name)} · {money(pledge.amount_fen)}"
                    for pledge in detail.pledges
                )
            )
        years = t("proposals.years", years=detail.maintenance_years)
        st.markdown(
            f"**{t('field.maintenance_plan')}** · {plain(detail.maintainer)} · {years}  \n"
            f"{plain(detail.maintenance_plan)}"
        )


def _money_left(chosen_fen: int, budget_fen: int) -> bool:
    """The knapsack ballot's bar; False when the ticked projects cost more than the budget."""
    left = budget_fen - chosen_fen
    shown = {"chosen": money(chosen_fen), "budget": money(budget_fen)}
    if left >= 0:
        text = t("vote.money_left", left=money(left), **shown)
    else:
        text = t("vote.money_over", over=money(-left), **shown)
    st.progress(min(100, chosen_fen * 100 // max(budget_fen, 1)), text=text)
    if left < 0:
        st.error(t("vote.over_budget", over=money(-left)), icon=":material/block:")
    return left >= 0


def resident_ballot(
    viewer: Viewer,
    budget_round: RoundRow,
    proposals: list[ProposalRow],
    prefix: str,
    cast_label: str | None = None,
) -> BallotChoice | None:
    """Draws the ballot; returns the voter's choice on the run the cast button is pressed
    (never for a knapsack ballot over the budget: the button is then disabled, and the
    service would refuse it anyway)."""
    kind = budget_round.ballot_kind
    _style()
    st.markdown(_rules(budget_round, len(proposals)))
    ranking: list[int] = []
    if kind == BallotKind.ORDINAL:
        titles = {p.id: f"{p.title} · {money(p.requested_fen)}" for p in proposals}
        ranking = st.multiselect(
            t("vote.rank_hint"),
            list(titles),
            format_func=titles.__getitem__,
            placeholder=t("widgets.choose_in_order"),
            key=f"{prefix}_rank",
        )
    ticked_keys = {p.id: f"{prefix}_approve_{p.id}" for p in proposals}
    chosen_fen = sum(p.requested_fen for p in proposals if st.session_state.get(ticked_keys[p.id]))
    approvals: list[int] = []
    points: dict[int, int] = {}
    for proposal in proposals:
        with st.container(border=True, key=f"{prefix}_item_{proposal.id}"):
            title = plain(proposal.title)
            if kind in APPROVAL_KINDS:
                if st.checkbox(f"**{title}**", key=ticked_keys[proposal.id]):
                    approvals.append(proposal.id)
            elif kind in POINTS_KINDS:
                most = budget_round.max_points or budget_round.max_sum_points or 10
                points[proposal.id] = int(
                    st.number_input(
                        f"**{title}**",
                        min_value=0,
                        max_value=most,
                        step=1,
                        key=f"{prefix}_points_{proposal.id}",
                    )
                )
            else:
                st.markdown(f"**{title}**")
            caption = t(
                "vote.item_meta",
                place=plain(proposal.place),
                requested=money(proposal.requested_fen),
            )
            ticked = bool(st.session_state.get(ticked_keys[proposal.id]))
            over = chosen_fen + proposal.requested_fen > budget_round.budget_fen
            if kind == BallotKind.KNAPSACK and not ticked and over:
                caption += f" · :orange[{t('vote.does_not_fit')}]"
            st.caption(caption)
            _details(viewer, proposal, f"{prefix}_details_{proposal.id}")
    with st.container(key=f"ballot_bar_{prefix}"):
        fits = True
        if kind == BallotKind.KNAPSACK:
            fits = _money_left(chosen_fen, budget_round.budget_fen)
        cast = st.button(
            cast_label or t("vote.cast"),
            type="primary",
            disabled=not fits,
            key=f"{prefix}_cast",
            icon=":material/how_to_vote:",
            width="stretch",
        )
    if not cast:
        return None
    return BallotChoice(approvals=tuple(approvals), points=points, ranking=tuple(ranking))


def prefill_ballot(prefix: str, budget_round: RoundRow, found: ReceiptCheck) -> None:
    """Sets the widgets of ``resident_ballot`` (drawn on the next run) to the ballot a receipt
    shows, so that changing a ballot starts from the ballot as it stands."""
    widgets = tuple(f"{prefix}_{name}" for name in ("approve_", "points_", "rank"))
    for key in [key for key in st.session_state if str(key).startswith(widgets)]:
        del st.session_state[key]  # an earlier change's ticks
    kind = budget_round.ballot_kind
    if kind in APPROVAL_KINDS:
        for proposal_id, _, _ in found.entries:
            st.session_state[f"{prefix}_approve_{proposal_id}"] = True
    elif kind in POINTS_KINDS:
        for proposal_id, points, _ in found.entries:
            st.session_state[f"{prefix}_points_{proposal_id}"] = points or 0
    else:
        ranked = sorted(found.entries, key=lambda entry: entry[2] or 0)
        st.session_state[f"{prefix}_rank"] = [proposal_id for proposal_id, _, _ in ranked]


# --- the receipt --------------------------------------------------------------------------------


def keep_receipt(
    code: str, budget_round: RoundRow, where: str, *, replaces: str | None = None
) -> None:
    """Until the voter closes it; ``where`` says which part of the page shows it. A changed
    ballot's receipt ``replaces`` the old one, which no longer finds anything."""
    kept: list[dict[str, Any]] = st.session_state.setdefault(RECEIPTS, [])
    kept[:] = [receipt for receipt in kept if replaces is None or receipt["code"] != replaces]
    kept.append(
        {
            "code": code,
            "round_id": budget_round.id,
            "round": budget_round.name,
            "where": where,
            "changed": replaces is not None,
        }
    )


def kept_receipt(round_id: int) -> str:
    """The last receipt kept in this session for the round, or nothing."""
    codes = [r["code"] for r in st.session_state.get(RECEIPTS, []) if r["round_id"] == round_id]
    return codes[-1] if codes else ""


def _receipt_text(receipt: dict[str, Any], address: str) -> ReceiptText:
    return ReceiptText(
        title=t("vote.receipt_file_title"),
        round_name=receipt["round"],
        code_label=t("vote.receipt_code"),
        code=receipt["code"],
        how=t("vote.receipt_file_how", address=address),
        note=t("vote.receipt_file_note"),
    )


def show_receipt_check(found: ReceiptCheck) -> None:
    """What the ballot box holds for a receipt, in words."""
    titles = {p.id: p.title for p in read(list_proposals, round_id=found.round_id)}
    names = {r.id: r.name for r in read(list_rounds)}
    st.success(t("vote.receipt_found", round=plain(names.get(found.round_id, ""))))
    lines = []
    for proposal_id, points, rank in found.entries:
        detail = (
            f" · {points}"
            if points is not None
            else (f" · #{rank + 1}" if rank is not None else "")
        )
        lines.append(f"- {plain(titles.get(proposal_id, str(proposal_id)))}{detail}")
    st.markdown("\n".join(lines))


def kept_receipts(where: str, address: str, round_id: int | None = None) -> None:
    """The receipts kept for this part of the page, each with its copy, download, check and
    close buttons."""
    for number, receipt in enumerate(list(st.session_state.get(RECEIPTS, []))):
        if receipt["where"] != where or round_id not in (None, receipt["round_id"]):
            continue
        code = receipt["code"]
        key = f"receipt_{code}"
        _style()
        with st.container(border=True, key=f"receipt_box_{code}"):
            kept = t("vote.receipt_keep_changed") if receipt["changed"] else t("vote.receipt_keep")
            st.success(kept, icon=":material/how_to_vote:")
            st.code(code, language=None)
            text = _receipt_text(receipt, address)
            name = f"linli-receipt-{code}"
            st.download_button(
                t("vote.receipt_png"),
                data=partial(receipt_png, text),
                file_name=f"{name}.png",
                mime="image/png",
                key=f"{key}_png",
                icon=":material/image:",
                on_click="ignore",
                width="stretch",
            )
            st.download_button(
                t("vote.receipt_pdf"),
                data=partial(receipt_pdf, text),
                file_name=f"{name}.pdf",
                mime="application/pdf",
                key=f"{key}_pdf",
                icon=":material/picture_as_pdf:",
                on_click="ignore",
                width="stretch",
            )
            check = st.expander(t("vote.receipt_check_this"), key=f"{key}_check", on_change="rerun")
            if check.open:
                with check:
                    found = attempt(check_receipt, receipt_code=code)
                    if found:
                        show_receipt_check(found)
            if st.button(t("vote.receipt_close"), key=f"{key}_close", width="stretch"):
                kept = st.session_state[RECEIPTS]
                del kept[number]
                st.rerun()
