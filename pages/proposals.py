"""Proposals (提案): read every proposal, submit one with its budget, co-funding and upkeep
plan, (for the committee) move it through eligibility review, and see or attach its photos,
documents and receipts."""

import streamlit as st

from models.vocabulary import AttachmentKind, Category, CoFundingSource, PlaceKind, ProposalStatus
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.proposals import (
    LineItemInput,
    PledgeInput,
    ProposalDraft,
    change_proposal_status,
    list_proposals,
    proposal_detail,
    submit_proposal,
)
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
from services.workflow import Mover, moves_from
from ui.context import act, current_viewer, label, moment, money, read, t
from ui.images import thumbnail
from ui.plain_text import plain
from ui.widgets import empty_state, id_select, place_select, status_badge, vocabulary_select

LINE_COLUMNS = ("description", "category", "quantity", "unit_price")
PLEDGE_COLUMNS = ("source_kind", "source_name", "amount")


PAGE_SIZE = 20  # proposals drawn at once: a city round has 160, each with its details


def _rows(editor_value: object, columns: tuple[str, ...]) -> list[dict[str, object]]:
    rows = editor_value if isinstance(editor_value, list) else []
    return [row for row in rows if any(str(row.get(c) or "").strip() for c in columns)]


def _whole(value: object) -> int:
    """A grid's number cell as a whole number; anything else is 0, which the service refuses
    with a message naming the quantity."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else 0


def _submit_form(viewer: Viewer) -> None:
    allowed = read(
        places_where_allowed,
        viewer=viewer,
        action=Action.SUBMIT_PROPOSAL,
        kinds=(PlaceKind.COMMUNITY, PlaceKind.COMPOUND),
    )
    with st.expander(t("proposals.submit"), icon=":material/add:"):
        place_id = place_select(t("proposals.place"), key="proposal_place", allowed=allowed)
        open_rounds = {r.id: r.name for r in read(rounds_taking_proposals, place_id=place_id)}
        round_id = id_select(
            t("proposals.round"), open_rounds, none=t("proposals.no_round"), key="proposal_round"
        )
        title = st.text_input(t("field.title"), max_chars=120, key="proposal_title")
        category = vocabulary_select(
            t("field.category"), Category, "category", key="proposal_category"
        )
        summary = st.text_area(t("field.summary"), max_chars=4000, key="proposal_summary")
        st.markdown(f"**{t('field.line_items')}**")
        lines = st.data_editor(
            [
                {
                    "description": "",
                    "category": Category.PUBLIC_FACILITIES.value,
                    "quantity": 1,
                    "unit_price": "",
                }
            ],
            num_rows="dynamic",
            key="proposal_lines",
            column_config={
                "description": st.column_config.TextColumn(t("field.line_item"), max_chars=200),
                "category": st.column_config.SelectboxColumn(
                    t("field.category"), options=[c.value for c in Category]
                ),
                "quantity": st.column_config.NumberColumn(t("field.quantity"), min_value=1, step=1),
                "unit_price": st.column_config.TextColumn(t("proposals.unit_price_yuan")),
            },
            width="stretch",
        )
        st.markdown(f"**{t('field.co_funding')}**")
        pledges = st.data_editor(
            [{"source_kind": CoFundingSource.RESIDENTS.value, "source_name": "", "amount": ""}],
            num_rows="dynamic",
            key="proposal_pledges",
            column_config={
                "source_kind": st.column_config.SelectboxColumn(
                    t("field.source_kind"), options=[c.value for c in CoFundingSource]
                ),
                "source_name": st.column_config.TextColumn(t("field.source_name")),
                "amount": st.column_config.TextColumn(t("proposals.amount_yuan")),
            },
            width="stretch",
        )
        maintenance_plan = st.text_area(
            t("field.maintenance_plan"), max_chars=2000, key="proposal_upkeep"
        )
        left, right = st.columns(2)
        maintainer = left.text_input(
            t("field.maintainer"), max_chars=120, key="proposal_maintainer"
        )
        years = right.number_input(
            t("field.maintenance_years"), min_value=0, max_value=50, value=3, key="proposal_years"
        )
        if (
            st.button(t("proposals.send"), type="primary", key="proposal_send")
            and place_id is not None
        ):
            draft = ProposalDraft(
                place_id=place_id,
                round_id=round_id,
                title=title,
                summary=summary,
                category=category,
                line_items=[
                    LineItemInput(
                        str(r.get("description") or ""),
                        str(r.get("category") or ""),
                        _whole(r.get("quantity")),
                        str(r.get("unit_price") or ""),
                    )
                    for r in _rows(lines, LINE_COLUMNS)
                ],
                co_funding=[
                    PledgeInput(
                        str(r.get("source_kind") or ""),
                        str(r.get("source_name") or ""),
                        str(r.get("amount") or ""),
                    )
                    for r in _rows(pledges, PLEDGE_COLUMNS)
                    if str(r.get("amount") or "").strip()
                ],
                maintenance_plan=maintenance_plan,
                maintainer=maintainer,
                maintenance_years=int(years),
            )
            proposal_id = act(submit_proposal, viewer, draft=draft)
            if proposal_id:
                st.success(t("proposals.sent", id=proposal_id), icon=":material/check:")


def _detail(viewer: Viewer, proposal_id: int) -> None:
    detail = read(proposal_detail, proposal_id=proposal_id)
    row = detail.row
    st.markdown(plain(detail.summary))
    a, b, c = st.columns(3)
    a.metric(t("proposals.cost"), money(row.cost_fen))
    b.metric(t("field.co_funding"), money(row.co_funding_fen))
    c.metric(t("proposals.requested"), money(row.requested_fen))
    st.dataframe(
        [
            {
                t("field.line_item"): item.description,
                t("field.category"): label("category", item.category),
                t("field.quantity"): item.quantity,
                t("field.unit_price"): money(item.unit_price_fen),
                t("proposals.subtotal"): money(item.quantity * item.unit_price_fen),
            }
            for item in detail.line_items
        ],
        hide_index=True,
        width="stretch",
    )
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
    moves = [move.target for move in moves_from(row.status, Mover.COMMITTEE)]
    if moves and can_somewhere(viewer, Action.REVIEW_ELIGIBILITY):
        left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
        target = left.selectbox(
            t("proposals.move_to"),
            moves,
            format_func=lambda s: label("status", s),
            key=f"move_{proposal_id}",
        )
        reason = middle.text_input(t("field.reason"), key=f"reason_{proposal_id}")
        if (
            right.button(t("proposals.apply"), key=f"apply_{proposal_id}")
            and act(
                change_proposal_status,
                viewer,
                proposal_id=proposal_id,
                to_status=target,
                reason=reason,
            )
            is not None
        ):
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


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.proposals"))
    st.caption(t("proposals.intro"))
    if can_somewhere(viewer, Action.SUBMIT_PROPOSAL):
        _submit_form(viewer)
    rows = read(list_proposals)
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
            _detail(viewer, row.id)


if __name__ == "__main__":
    st.switch_page("app.py")
