"""Needs collection (群众点单): residents post needs, neighbours support them; a need the
community orders from a social organisation shows its order, taken, delivered and reported on
(社区下单—社会组织接单). Cards, not grids: residents read this on a phone."""

import streamlit as st

from models.vocabulary import Category, OrderStatus, PlaceKind
from services.needs import DemandRow, needs_demand, post_need, support_need
from services.orders import (
    BoardNeed,
    OrderCard,
    deliver_order,
    needs_board,
    place_order,
    register_social_organisation,
    report_order,
    take_order,
    withdraw_order,
)
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
from services.workflow import order_can_move
from ui.charts import needs_demand as demand_chart
from ui.context import act, current_viewer, day, label, read, t
from ui.plain_text import plain
from ui.widgets import empty_state, place_select, vocabulary_select


def _post_form(viewer: Viewer) -> None:
    allowed = read(
        places_where_allowed,
        viewer=viewer,
        action=Action.POST_NEED,
        kinds=(PlaceKind.COMMUNITY, PlaceKind.COMPOUND),
    )
    with (
        st.expander(t("needs.post"), icon=":material/add:"),
        st.form("post_need", clear_on_submit=True, enter_to_submit=False),
    ):
        place_id = place_select(t("needs.place"), key="need_place", allowed=allowed)
        title = st.text_input(t("field.title"), max_chars=120, key="need_title")
        category = vocabulary_select(t("field.category"), Category, "category", key="need_category")
        description = st.text_area(t("field.description"), max_chars=2000, key="need_description")
        submitted = st.form_submit_button(t("needs.submit"), type="primary")
        if (
            submitted
            and place_id is not None
            and act(
                post_need,
                viewer,
                place_id=place_id,
                title=title,
                description=description,
                category=category,
            )
            is not None
        ):
            st.toast(t("needs.posted"), icon=":material/check:")


MEASURES = ("supporters", "needs")


def _demand(rows: list[DemandRow]) -> None:
    """Where the neighbours ask for what: needs and their supporters by place and category."""
    st.subheader(t("needs.demand"))
    measure = st.segmented_control(
        t("needs.demand_measure"),
        MEASURES,
        default=MEASURES[0],
        required=True,
        format_func=lambda m: t(f"needs.measure_{m}"),
        key="demand_measure",
    )
    chart = demand_chart(
        [
            {
                "place": row.place,
                "category": label("category", row.category),
                "needs": row.needs,
                "supporters": row.supporters,
            }
            for row in rows
        ],
        measure=measure or MEASURES[0],
        labels={
            "place": t("needs.place"),
            "category": t("field.category"),
            "needs": t("needs.measure_needs"),
            "supporters": t("needs.measure_supporters"),
        },
    )
    st.altair_chart(chart, width="stretch")
    st.caption(t("needs.demand_caption"))


def _organisation_form(viewer: Viewer) -> None:
    allowed = read(
        places_where_allowed,
        viewer=viewer,
        action=Action.REGISTER_SOCIAL_ORGANISATION,
        kinds=(PlaceKind.STREET, PlaceKind.COMMUNITY),
    )
    with (
        st.expander(t("orders.register"), icon=":material/groups:"),
        st.form("register_organisation", clear_on_submit=True, enter_to_submit=False),
    ):
        place_id = place_select(t("orders.area"), key="organisation_place", allowed=allowed)
        name = st.text_input(t("field.name"), max_chars=120, key="organisation_name")
        number = st.text_input(t("field.registration_no"), max_chars=40, key="organisation_no")
        contact = st.text_input(t("field.contact"), max_chars=120, key="organisation_contact")
        if (
            st.form_submit_button(t("orders.register_submit"), type="primary")
            and place_id is not None
            and act(
                register_social_organisation,
                viewer,
                place_id=place_id,
                name=name,
                registration_no=number,
                contact=contact,
            )
            is not None
        ):
            st.toast(t("orders.registered"), icon=":material/check:")


def _order_facts(order: OrderCard) -> None:
    status = label("order_status", order.status)
    if order.organisation:
        st.markdown(t("orders.status_by", status=status, organisation=plain(order.organisation)))
    else:
        st.markdown(t("orders.status", status=status))
    steps = [t("orders.placed_on", day=day(order.placed_at))]
    if order.taken_at:
        steps.append(t("orders.taken_on", day=day(order.taken_at)))
    if order.delivered_at:
        steps.append(t("orders.delivered_on", day=day(order.delivered_at)))
    st.caption(" · ".join(steps))
    if order.beneficiaries_served is not None:
        st.metric(t("orders.served"), order.beneficiaries_served)
        st.text(plain(order.report))
    if order.withdrawn_reason:
        st.caption(t("orders.withdrawn_because", reason=plain(order.withdrawn_reason)))


def _order_steps(viewer: Viewer, order: OrderCard) -> None:
    """The buttons of those who record the organisation's steps, or withdraw the order."""
    if order.may_handle and order_can_move(order.status, OrderStatus.TAKEN):
        choices = {o.id: o.name for o in order.organisations}
        chosen = st.selectbox(
            t("field.organisation"),
            list(choices),
            format_func=lambda oid: plain(choices[oid]),
            key=f"order_organisation_{order.id}",
        )
        taken = chosen is not None and st.button(
            t("orders.take"), key=f"take_order_{order.id}", type="primary", width="stretch"
        )
        if taken and act(take_order, viewer, order_id=order.id, organisation_id=chosen):
            st.rerun()
    if order.may_handle and order_can_move(order.status, OrderStatus.DELIVERED):
        delivered = st.button(
            t("orders.deliver"), key=f"deliver_order_{order.id}", type="primary", width="stretch"
        )
        if delivered and act(deliver_order, viewer, order_id=order.id):
            st.rerun()
    if order.may_handle and order_can_move(order.status, OrderStatus.REPORTED):
        with st.form(f"report_order_{order.id}", enter_to_submit=False):
            served = st.number_input(
                t("field.beneficiaries_served"),
                min_value=1,
                max_value=1_000_000,
                step=1,
                key=f"order_served_{order.id}",
            )
            report = st.text_area(t("field.report"), max_chars=2000, key=f"order_report_{order.id}")
            reported = st.form_submit_button(t("orders.report"), type="primary")
            if reported and act(
                report_order,
                viewer,
                order_id=order.id,
                beneficiaries_served=int(served),
                report=report,
            ):
                st.rerun()
    if order.may_withdraw and order_can_move(order.status, OrderStatus.WITHDRAWN):
        with st.expander(t("orders.withdraw")):
            reason = st.text_input(
                t("field.reason"), max_chars=500, key=f"order_withdraw_reason_{order.id}"
            )
            withdrawn = st.button(t("orders.withdraw_submit"), key=f"withdraw_order_{order.id}")
            if withdrawn and act(withdraw_order, viewer, order_id=order.id, reason=reason):
                st.rerun()


def _need_card(viewer: Viewer, item: BoardNeed, may_support: bool) -> None:
    need = item.need
    with st.container(border=True, key=f"need_{need.id}"):
        left, right = st.columns([5, 1])
        left.markdown(f"**{plain(need.title)}**  \n{plain(need.description)}")
        left.caption(
            t(
                "needs.meta",
                place=plain(need.place),
                category=label("category", need.category),
                day=day(need.created_at),
                status=label("need_status", need.status),
            )
        )
        right.metric(t("needs.supporters"), need.supporters)
        supported = (
            may_support
            and need.status == "open"
            and right.button(t("needs.support"), key=f"support_need_{need.id}")
        )
        if supported and act(support_need, viewer, need_id=need.id) is not None:
            st.rerun()
        if item.order is not None:
            _order_facts(item.order)
            _order_steps(viewer, item.order)
        ordered = item.may_order and st.button(
            t("orders.place"), key=f"place_order_{need.id}", width="stretch"
        )
        if ordered and act(place_order, viewer, need_id=need.id) is not None:
            st.rerun()


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.needs"))
    st.caption(t("needs.intro"))
    if can_somewhere(viewer, Action.POST_NEED):
        _post_form(viewer)
    if can_somewhere(viewer, Action.REGISTER_SOCIAL_ORGANISATION):
        _organisation_form(viewer)
    if demand := read(needs_demand):
        _demand(demand)
    board = read(needs_board, viewer=viewer)
    if not board.needs:
        empty_state("needs.none")
    may_support = can_somewhere(viewer, Action.SUPPORT)
    for item in board.needs:
        _need_card(viewer, item, may_support)


if __name__ == "__main__":
    st.switch_page("app.py")
