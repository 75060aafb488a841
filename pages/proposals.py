"""Proposals (提案): read every proposal, submit one with its budget, co-funding and upkeep
plan, (for the committee) move it through eligibility review, and see or attach its photos,
documents and receipts."""

import streamlit as st

from models.vocabulary import AttachmentKind, Category, CoFundingSource, PlaceKind, ProposalStatus
from services.charters import CharterBreach, charter_check
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
    ProposalRow,
    change_proposal_status,
    discard_draft,
    draft_form,
    list_proposals,
    my_drafts,
    needs_to_answer,
    proposal_detail,
    save_draft,
    submit_proposal,
    support_proposal,
    supported_proposals,
    withdraw_support,
)
from services.ratings import project_ratings, rate_project
from services.reviews import one_decimal
from services.rounds import rounds_taking_proposals
from services.uploads import (
    ACCEPTED,
    AttachmentInfo,
    accepted_extensions,
    attach_file,
    attachable_kinds,
    list_attachments,
    max_upload_mb,
    open_attachment,
)
from services.workflow import CLOSING, SUPPORTABLE, Mover, moves_from
from ui.context import act, current_viewer, label, moment, money, read, t
from ui.forms import FieldForm, show_breaches
from ui.images import thumbnail
from ui.plain_text import plain
from ui.widgets import empty_state, place_select, status_badge, vocabulary_select

PAGE_SIZE = 20  # proposals drawn at once: a city round has 160, each with its details

# The proposal form keeps plain values in session state under these keys: the row ids of its
# budget lines and co-funding pledges (each row's widgets are keyed by its id, so removing a
# row in the middle keeps what was typed in the others), the draft being continued, and a
# message for the next run.
LINES = "pf_lines"
PLEDGES = "pf_pledges"
NEXT_ROW = "pf_next_row"
DRAFT_ID = "pf_draft_id"
RESET = "pf_reset"
FLASH = "pf_flash"
YEAR_CAP = "pf_year_cap"  # the proposal just sent would go over its community's yearly cap
NONE = 0  # "no round", "no need": a select box holding None would show no choice at all
# What a new form shows. A form is emptied by setting these, not by deleting the keys: the
# browser keeps showing a deleted widget's last value, while the server would read the
# default. Rows get new ids instead, which no browser has seen.
EMPTY_FORM: dict[str, object] = {
    "pf_round": NONE,
    "pf_need": NONE,
    "pf_title": "",
    "pf_category": next(iter(Category)).value,
    "pf_summary": "",
    "pf_upkeep": "",
    "pf_maintainer": "",
    "pf_years": 3,
}


def _new_row() -> int:
    row = st.session_state.get(NEXT_ROW, 0)
    st.session_state[NEXT_ROW] = row + 1
    return row


def _rows(name: str) -> list[int]:
    """A new form starts with one empty budget line and no co-funding."""
    if name not in st.session_state:
        st.session_state[name] = [_new_row()] if name == LINES else []
    rows: list[int] = st.session_state[name]
    return rows


def _add_row(name: str) -> None:
    st.session_state[name] = [*_rows(name), _new_row()]


def _remove_row(name: str, row: int) -> None:
    st.session_state[name] = [r for r in _rows(name) if r != row]


def _clear_form() -> None:
    """Before the form's widgets are drawn. The place chosen stays."""
    for key, value in EMPTY_FORM.items():
        st.session_state[key] = value
    st.session_state[LINES] = [_new_row()]
    st.session_state[PLEDGES] = []
    st.session_state.pop(DRAFT_ID, None)


def _fill_form(draft: ProposalDraft, draft_id: int, allowed: set[int]) -> None:
    """A stored draft back into the form's widgets, in new rows."""
    if draft.place_id in allowed:
        st.session_state["pf_place"] = draft.place_id
    st.session_state[DRAFT_ID] = draft_id
    st.session_state["pf_round"] = draft.round_id or NONE
    st.session_state["pf_need"] = draft.need_id or NONE
    st.session_state["pf_title"] = draft.title
    st.session_state["pf_category"] = draft.category
    st.session_state["pf_summary"] = draft.summary
    st.session_state["pf_upkeep"] = draft.maintenance_plan
    st.session_state["pf_maintainer"] = draft.maintainer
    st.session_state["pf_years"] = draft.maintenance_years
    lines = []
    for item in draft.line_items:
        row = _new_row()
        lines.append(row)
        st.session_state[f"pf_line_{row}_desc"] = item.description
        st.session_state[f"pf_line_{row}_cat"] = item.category
        st.session_state[f"pf_line_{row}_qty"] = item.quantity
        st.session_state[f"pf_line_{row}_price"] = item.unit_price
    st.session_state[LINES] = lines or [_new_row()]
    pledges = []
    for pledge in draft.co_funding:
        row = _new_row()
        pledges.append(row)
        st.session_state[f"pf_pledge_{row}_kind"] = pledge.source_kind
        st.session_state[f"pf_pledge_{row}_name"] = pledge.source_name
        st.session_state[f"pf_pledge_{row}_amount"] = pledge.amount
    st.session_state[PLEDGES] = pledges


def _row_head(title: str, name: str, row: int) -> None:
    head = st.container(
        horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"
    )
    head.markdown(f"**{title}**")
    head.form_submit_button(
        t("proposals.remove_row"),
        key=f"{name}_{row}_remove",
        type="tertiary",
        icon=":material/delete:",
        on_click=_remove_row,
        args=(name, row),
    )


def _line_rows() -> list[LineItemInput]:
    """One small block per budget line, stacked: what, which category, how many, at what price."""
    typed = []
    for number, row in enumerate(_rows(LINES), start=1):
        key = f"pf_line_{row}"
        with st.container(border=True, key=f"line_card_{row}"):
            _row_head(t("proposals.line_heading", row=number), LINES, row)
            description = st.text_input(
                t("field.line_item"),
                max_chars=200,
                placeholder=t("proposals.line_hint"),
                key=f"{key}_desc",
            )
            category = vocabulary_select(
                t("field.category"), Category, "category", key=f"{key}_cat"
            )
            amounts = st.container(horizontal=True, gap="small")
            quantity = amounts.number_input(
                t("field.quantity"),
                min_value=1,
                max_value=1_000_000,
                step=1,
                key=f"{key}_qty",
                width=120,
            )
            price = amounts.text_input(
                t("proposals.unit_price_yuan"),
                max_chars=40,
                placeholder=t("proposals.price_hint"),
                key=f"{key}_price",
            )
        typed.append(LineItemInput(description, category, int(quantity), price))
    st.form_submit_button(
        t("proposals.add_line"), icon=":material/add:", on_click=_add_row, args=(LINES,)
    )
    return typed


def _pledge_rows() -> list[PledgeInput]:
    typed = []
    rows = _rows(PLEDGES)
    if not rows:
        st.caption(t("proposals.no_pledges"))
    for number, row in enumerate(rows, start=1):
        key = f"pf_pledge_{row}"
        with st.container(border=True, key=f"pledge_card_{row}"):
            _row_head(t("proposals.pledge_heading", row=number), PLEDGES, row)
            kind = vocabulary_select(
                t("field.source_kind"), CoFundingSource, "cofunding_source", key=f"{key}_kind"
            )
            name = st.text_input(
                t("field.source_name"),
                max_chars=120,
                placeholder=t("proposals.source_name_hint"),
                key=f"{key}_name",
            )
            amount = st.text_input(
                t("proposals.amount_yuan"),
                max_chars=40,
                placeholder=t("proposals.amount_hint"),
                key=f"{key}_amount",
            )
        typed.append(PledgeInput(kind, name, amount))
    st.form_submit_button(
        t("proposals.add_pledge"), icon=":material/add:", on_click=_add_row, args=(PLEDGES,)
    )
    return typed


def _drafts(viewer: Viewer, allowed: set[int]) -> None:
    """The viewer's unfinished proposals, each to continue or to delete."""
    drafts = read(my_drafts, viewer=viewer)
    if not drafts:
        return
    st.markdown(f"**{t('proposals.drafts')}**")
    for draft in drafts:
        with st.container(border=True, key=f"pf_draft_card_{draft.id}"):
            st.markdown(plain(draft.title) if draft.title else t("proposals.untitled"))
            st.caption(
                t(
                    "proposals.draft_meta",
                    place=plain(draft.place),
                    cost=money(draft.cost_fen),
                    saved=moment(draft.updated_at),
                )
            )
            buttons = st.container(horizontal=True)
            if buttons.button(
                t("proposals.continue"), key=f"draft_open_{draft.id}", icon=":material/edit:"
            ) and (stored := act(draft_form, viewer, proposal_id=draft.id)):
                _fill_form(stored, draft.id, allowed)
            if buttons.button(
                t("proposals.discard"),
                key=f"draft_discard_{draft.id}",
                type="tertiary",
                icon=":material/delete:",
            ) and act(discard_draft, viewer, proposal_id=draft.id):
                if st.session_state.get(DRAFT_ID) == draft.id:
                    st.session_state[RESET] = True
                st.session_state[FLASH] = ("proposals.discarded", {}, True)
                st.rerun()


def _choice(title: str, names: dict[int, str], none: str, key: str) -> int | None:
    """A select box of ids with a first choice of none. A choice kept from an earlier run
    (another place, a draft) that is no longer on offer falls back to none."""
    options = {NONE: none, **names}
    if st.session_state.get(key, NONE) not in options:
        st.session_state[key] = NONE
    chosen = st.selectbox(title, list(options), format_func=options.__getitem__, key=key)
    return None if chosen == NONE else chosen


def _where_and_why(allowed: set[int]) -> tuple[int | None, int | None, int | None]:
    """Outside the form: the rounds and needs on offer depend on the place chosen."""
    place_id = place_select(t("proposals.place"), key="pf_place", allowed=allowed)
    if place_id is None:
        return None, None, None
    rounds = {r.id: r.name for r in read(rounds_taking_proposals, place_id=place_id)}
    round_id = _choice(t("proposals.round"), rounds, t("proposals.no_round"), "pf_round")
    chosen = st.session_state.get("pf_need") or None
    needs = {
        n.id: t("proposals.need_option", title=n.title, place=n.place, supporters=n.supporters)
        for n in read(needs_to_answer, place_id=place_id, chosen_need_id=chosen)
    }
    need_id = _choice(t("proposals.need"), needs, t("proposals.no_need"), "pf_need")
    return place_id, round_id, need_id


def _submit_form(viewer: Viewer) -> None:
    """Made for a 390-px phone: one field under another, one small block per budget line and
    per pledge, and buttons to add or remove them; nothing to scroll sideways. Inside a form,
    so typing sends nothing until a button is pressed (and no "Press Enter" hint shows)."""
    if st.session_state.pop(RESET, False):
        _clear_form()
    allowed = read(
        places_where_allowed,
        viewer=viewer,
        action=Action.SUBMIT_PROPOSAL,
        kinds=(PlaceKind.COMMUNITY, PlaceKind.COMPOUND),
    )
    with st.expander(t("proposals.submit"), icon=":material/add:"):
        _drafts(viewer, allowed)
        draft_id = st.session_state.get(DRAFT_ID)
        if draft_id is not None:
            editing = st.container(horizontal=True, vertical_alignment="center")
            editing.caption(t("proposals.editing_draft", id=draft_id))
            if editing.button(t("proposals.start_new"), key="pf_start_new", type="tertiary"):
                st.session_state[RESET] = True
                st.rerun()
        place_id, round_id, need_id = _where_and_why(allowed)
        if place_id is None:
            return
        form = FieldForm("proposal")  # the charter's refusals, each under its field
        with st.form("proposal_form", border=False, enter_to_submit=False):
            title = st.text_input(
                t("field.title"),
                max_chars=120,
                placeholder=t("proposals.title_hint"),
                key="pf_title",
            )
            category = vocabulary_select(
                t("field.category"), Category, "category", key="pf_category"
            )
            form.error_at("category")
            summary = st.text_area(t("field.summary"), max_chars=4000, key="pf_summary")
            st.markdown(f"**{t('field.line_items')}**")
            lines = _line_rows()
            form.error_at("line_items")
            st.markdown(f"**{t('field.co_funding')}**")
            pledges = _pledge_rows()
            form.error_at("co_funding", "budget")
            st.markdown(f"**{t('field.maintenance_plan')}**")
            maintenance_plan = st.text_area(
                t("proposals.upkeep_how"), max_chars=2000, key="pf_upkeep"
            )
            maintainer = st.text_input(t("field.maintainer"), max_chars=120, key="pf_maintainer")
            st.session_state.setdefault("pf_years", EMPTY_FORM["pf_years"])
            years = st.number_input(
                t("field.maintenance_years"), min_value=0, max_value=50, key="pf_years"
            )
            form.other_errors()
            buttons = st.container(horizontal=True)
            save = buttons.form_submit_button(
                t("proposals.save_draft"), icon=":material/save:", key="pf_save"
            )
            send = buttons.form_submit_button(
                t("proposals.send"), type="primary", icon=":material/send:", key="pf_send"
            )
        if not (save or send):
            return
        draft = ProposalDraft(
            place_id=place_id,
            round_id=round_id,
            need_id=need_id,
            title=title,
            summary=summary,
            category=category,
            line_items=lines,
            co_funding=pledges,
            maintenance_plan=maintenance_plan,
            maintainer=maintainer,
            maintenance_years=int(years),
        )
        if save and (saved := act(save_draft, viewer, draft=draft, draft_id=draft_id)):
            form.forget()
            st.session_state[DRAFT_ID] = saved
            st.session_state[FLASH] = ("proposals.draft_saved", {}, True)
            st.rerun()
        if send and (sent := form.submit(submit_proposal, viewer, draft=draft, draft_id=draft_id)):
            st.session_state[RESET] = True
            st.session_state[FLASH] = ("proposals.sent", {"id": sent}, True)
            rules = {b.rule for b in read(charter_check, proposal_id=sent)}
            st.session_state[YEAR_CAP] = "charter_year_cap" in rules
            st.rerun()


def _support(viewer: Viewer, row: ProposalRow, supported: bool) -> None:
    """Support, or take it back, while the proposal is open for it."""
    if supported:
        clicked = st.button(
            t("proposals.withdraw_support"),
            key=f"unsupport_{row.id}",
            icon=":material/undo:",
        )
        if clicked and act(withdraw_support, viewer, proposal_id=row.id):
            st.session_state[FLASH] = ("proposals.support_withdrawn", {}, False)
            st.rerun()
    elif st.button(
        t("proposals.support"), key=f"support_{row.id}", type="primary", icon=":material/thumb_up:"
    ) and act(support_proposal, viewer, proposal_id=row.id):
        st.session_state[FLASH] = ("proposals.supported", {}, False)
        st.rerun()


def _at(breaches: list[CharterBreach], *fields: str) -> None:
    """The rules of the charter broken at these fields of the proposal, under them."""
    show_breaches([b.as_param() for b in breaches if b.field in fields])


def _detail(viewer: Viewer, proposal_id: int) -> None:
    detail = read(proposal_detail, proposal_id=proposal_id)
    row = detail.row
    moves = [move.target for move in moves_from(row.status, Mover.COMMITTEE)]
    reviewing = bool(moves) and can_somewhere(viewer, Action.REVIEW_ELIGIBILITY)
    # The eligibility review (资格审查) sees every rule of the fund's charter it breaks.
    breaches = (
        read(charter_check, proposal_id=proposal_id)
        if reviewing and ProposalStatus.ELIGIBLE in moves
        else []
    )
    _at(breaches, "category")
    st.markdown(plain(detail.summary))
    st.markdown(  # one line that wraps on a phone, where three metrics would fill a screen
        " · ".join(
            f"{t(title)} **{money(fen)}**"
            for title, fen in (
                ("proposals.cost", row.cost_fen),
                ("field.co_funding", row.co_funding_fen),
                ("proposals.requested", row.requested_fen),
            )
        )
    )
    _at(breaches, "budget", "co_funding")
    st.markdown(f"**{t('field.line_items')}**")
    for item in detail.line_items:
        st.markdown(
            "- "
            + t(
                "proposals.line_text",
                description=plain(item.description),
                category=label("category", item.category),
                quantity=item.quantity,
                price=money(item.unit_price_fen),
                subtotal=money(item.quantity * item.unit_price_fen),
            )
        )
    _at(breaches, "line_items")
    if detail.pledges:
        st.markdown(f"**{t('field.co_funding')}**")
    for pledge in detail.pledges:
        source = label("cofunding_source", pledge.source_kind)
        st.markdown(f"- {source} · {plain(pledge.source_name)} · {money(pledge.amount_fen)}")
    years = t("proposals.years", years=detail.maintenance_years)
    maintainer = plain(detail.maintainer)
    st.markdown(f"**{t('field.maintenance_plan')}** · {maintainer} · {years}")
    st.markdown(plain(detail.maintenance_plan))
    with st.popover(t("proposals.history"), icon=":material/history:"):
        for change in detail.history:
            reason = f" · {plain(change.reason)}" if change.reason else ""
            st.markdown(
                f"- {moment(change.changed_at)} · {label('status', change.to_status)}{reason}"
            )
    _attachments(viewer, proposal_id)
    if reviewing:
        with st.form(f"move_{proposal_id}", border=False, enter_to_submit=False):
            left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
            target = left.selectbox(
                t("proposals.move_to"),
                moves,
                format_func=lambda s: label("status", s),
                key=f"move_{proposal_id}_to",
            )
            reason = middle.text_input(t("field.reason"), key=f"reason_{proposal_id}")
            applied = right.form_submit_button(t("proposals.apply"), key=f"apply_{proposal_id}")
            override = (
                st.text_input(
                    t("field.override_reason"),
                    max_chars=500,
                    help=t("charters.override_help"),
                    key=f"override_{proposal_id}",
                )
                if breaches
                else ""
            )
            if CLOSING & set(moves):
                st.caption(t("proposals.closing_releases"))
        if (
            applied
            and act(
                change_proposal_status,
                viewer,
                proposal_id=proposal_id,
                to_status=target,
                reason=reason,
                override_reason=override,
            )
            is not None
        ):
            st.rerun()


def _rating(viewer: Viewer, proposal_id: int) -> None:
    """Residents' stars for a completed project: the public mean, and the resident's own
    rating, which a second tap revises (services.ratings)."""
    shown = read(project_ratings, viewer=viewer, proposal_id=proposal_id)
    st.markdown(f"**{t('ratings.title')}**")
    if shown.mean is None:
        st.caption(t("ratings.none"))
    else:
        st.caption(t("ratings.summary", mean=one_decimal(shown.mean), count=shown.ratings))
    if not shown.may_rate:
        return
    stars = st.feedback(
        "stars",
        default=None if shown.own_stars is None else shown.own_stars - 1,
        key=f"rating_stars_{proposal_id}",
    )
    comment = st.text_input(
        t("ratings.comment"),
        value=shown.own_comment,
        max_chars=500,
        key=f"rating_comment_{proposal_id}",
    )
    if (
        st.button(t("ratings.send"), key=f"rating_send_{proposal_id}", disabled=stars is None)
        and stars is not None
        and act(rate_project, viewer, proposal_id=proposal_id, stars=stars + 1, comment=comment)
        is not None
    ):
        st.session_state[FLASH] = ("ratings.sent", {}, False)
        st.rerun()


def _size(info: AttachmentInfo) -> str:
    if info.size_bytes < 1024 * 1024:
        return t("uploads.size_kb", size=max(1, round(info.size_bytes / 1024)))
    return t("uploads.size_mb", size=f"{info.size_bytes / 1024 / 1024:.1f}")


def _attachments(viewer: Viewer, proposal_id: int) -> None:
    """Behind a toggle, so that a list of proposals does not read every photo on every run."""
    files = read(list_attachments, viewer=viewer, proposal_id=proposal_id)
    kinds = read(attachable_kinds, viewer=viewer, proposal_id=proposal_id)
    if not files and not kinds:
        return
    if not st.toggle(t("uploads.show", count=len(files)), key=f"attachments_{proposal_id}"):
        return
    if not files:
        st.caption(t("uploads.none"))
    photos = [f for f in files if f.kind == AttachmentKind.PHOTO]
    columns = st.columns(3) if photos else []
    for index, info in enumerate(photos):
        if opened := act(open_attachment, viewer, attachment_id=info.id):
            columns[index % 3].image(thumbnail(opened[1]), caption=plain(info.original_name))
    for info in (f for f in files if f.kind != AttachmentKind.PHOTO):
        if not (opened := act(open_attachment, viewer, attachment_id=info.id)):
            continue
        st.download_button(
            f"{label('attachment_kind', info.kind)} · {plain(info.original_name)} · {_size(info)}",
            data=opened[1],
            file_name=info.original_name,
            mime=info.content_type,
            key=f"download_{info.id}",
            icon=":material/download:",
            on_click="ignore",
        )
    if kinds:
        _attach_form(viewer, proposal_id, kinds)


def _attach_form(viewer: Viewer, proposal_id: int, kinds: list[str]) -> None:
    """The widget refuses other extensions and larger files in the browser already; the
    service checks the bytes again and says what is wrong in the user's language."""
    left, right = st.columns([1, 2])
    kind = left.selectbox(
        t("uploads.kind"),
        kinds,
        format_func=lambda k: label("attachment_kind", k),
        key=f"attach_kind_{proposal_id}",
    )
    sent_key = f"attached_{proposal_id}"  # a new uploader (empty) after each attached file
    upload = right.file_uploader(
        t("uploads.file"),
        type=accepted_extensions(kind),
        max_upload_size=max_upload_mb(kind),
        key=f"attach_file_{proposal_id}_{st.session_state.get(sent_key, 0)}",
    )
    types = ", ".join(f.name for f in ACCEPTED[AttachmentKind(kind)])
    st.caption(t("uploads.hint", types=types, max_mb=max_upload_mb(kind)))
    if (
        st.button(t("uploads.attach"), key=f"attach_send_{proposal_id}", disabled=upload is None)
        and upload is not None
        and act(
            attach_file,
            viewer,
            proposal_id=proposal_id,
            kind=kind,
            filename=upload.name,
            data=upload.getvalue(),
        )
        is not None
    ):
        st.session_state[sent_key] = st.session_state.get(sent_key, 0) + 1
        st.toast(t("uploads.attached", name=plain(upload.name)), icon=":material/check:")
        st.rerun()


def _flash() -> None:
    """The outcome of the last button, kept over the rerun that redraws the lists: as a toast,
    which a phone scrolled down to the button sees, and (``lasting``) at the top. Its slot is
    always there, so that the form's expander below keeps its place (and stays open)."""
    slot = st.container()
    if flash := st.session_state.pop(FLASH, None):
        key, params, lasting = flash
        if lasting:
            slot.success(t(key, **params), icon=":material/check:")
        st.toast(t(key, **params), icon=":material/check:")
    if st.session_state.pop(YEAR_CAP, False):
        slot.warning(t("charters.year_cap_warning"), icon=":material/gavel:")


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.proposals"))
    st.caption(t("proposals.intro"))
    _flash()
    if can_somewhere(viewer, Action.SUBMIT_PROPOSAL):
        _submit_form(viewer)
    rows = read(list_proposals)
    supported = read(supported_proposals, viewer=viewer)
    may_support = read(places_where_allowed, viewer=viewer, action=Action.SUPPORT)
    statuses = sorted({r.status for r in rows}, key=[s.value for s in ProposalStatus].index)
    chosen = st.pills(
        t("field.status"),
        statuses,
        selection_mode="multi",
        format_func=lambda s: label("status", s),
        key="proposal_filter",
    )
    shown = [r for r in rows if not chosen or r.status in chosen]
    if not shown:
        empty_state("proposals.none")
    pages = -(-len(shown) // PAGE_SIZE)
    page = st.pagination(pages, key="proposal_page") if pages > 1 else 1
    for row in shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        with st.expander(f"{plain(row.title)} · {plain(row.place)} · {money(row.requested_fen)}"):
            status_badge("status", row.status)
            st.caption(
                t(
                    "proposals.meta",
                    category=label("category", row.category),
                    supporters=row.supporters,
                )
            )
            if row.status in SUPPORTABLE and row.place_id in may_support:
                _support(viewer, row, row.id in supported)
            _detail(viewer, row.id)
            if row.status == ProposalStatus.COMPLETED:
                _rating(viewer, row.id)


if __name__ == "__main__":
    st.switch_page("app.py")
