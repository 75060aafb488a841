"""Volunteer points (积分): a resident's balance and history, the catalogue to spend them on
(merchants of the merchant alliance among it), and the forms of those who set the rate, record
volunteering and keep the catalogue. Lists, not grids: residents read this on a phone."""

import streamlit as st

from services.permissions import Viewer
from services.points import (
    CatalogueItem,
    DeskPlace,
    PointsDesk,
    PointsStatement,
    add_catalogue_item,
    correct_volunteering,
    donate_points,
    points_page,
    record_volunteering,
    redeem_points,
    set_points_rule,
    set_points_share_rate,
    withdraw_catalogue_item,
)
from ui.context import act, current_viewer, day, label, money, read, t
from ui.plain_text import plain
from ui.widgets import empty_state


def _statement(statement: PointsStatement) -> None:
    st.metric(t("points.balance"), t("points.amount", points=statement.balance))
    st.subheader(t("points.history"))
    if not statement.lines:
        empty_state("points.no_history")
    days = {line.entry_id: day(line.recorded_at) for line in statement.lines}
    for line in statement.lines:
        with st.container(border=True, key=f"points_line_{line.entry_id}"):
            what = plain(line.description)
            if line.merchant:
                what = t("points.at_merchant", what=what, merchant=plain(line.merchant))
            sign = "+" if line.delta > 0 else ""
            st.markdown(f"**{sign}{line.delta}** · {what}")
            meta = t(
                "points.line_meta",
                reason=label("points_reason", line.reason),
                day=day(line.recorded_at),
            )
            if line.hours is not None:
                meta = t("points.line_hours", meta=meta, hours=line.hours)
            if line.corrects_id is not None:
                meta = t("points.line_corrects", meta=meta, day=days.get(line.corrects_id, ""))
            st.caption(meta)


def _item(viewer: Viewer, item: CatalogueItem) -> None:
    with st.container(border=True, key=f"points_item_{item.id}"):
        seller = plain(item.merchant) if item.merchant else t("points.community_own")
        st.markdown(f"**{plain(item.name)}**  \n{seller} · {plain(item.place)}")
        price = t("points.amount", points=item.points_cost)
        if item.list_price_fen is not None:
            price = t("points.price_with_list", price=price, list_price=money(item.list_price_fen))
        st.caption(price)
        if (
            item.redeemable
            and st.button(
                t("points.redeem"), key=f"redeem_{item.id}", type="primary", width="stretch"
            )
            and act(redeem_points, viewer, item_id=item.id) is not None
        ):
            st.toast(t("points.redeemed", name=plain(item.name)), icon=":material/check:")
            st.rerun()
        withdrawn = item.manageable and st.button(t("points.withdraw"), key=f"withdraw_{item.id}")
        if withdrawn and act(withdraw_catalogue_item, viewer, item_id=item.id) is not None:
            st.rerun()


def _place_choice(places: list[DeskPlace], key: str) -> int:
    by_id = {place.id: place for place in places}
    chosen: int = st.selectbox(
        t("field.place"),
        list(by_id),
        format_func=lambda pid: (
            t("points.place_rate", place=by_id[pid].name, rate=by_id[pid].points_per_hour)
            if by_id[pid].points_per_hour
            else t("points.place_no_rate", place=by_id[pid].name)
        ),
        key=key,
    )
    return chosen


def _record_form(viewer: Viewer, desk: PointsDesk) -> None:
    with (
        st.expander(t("points.record"), icon=":material/volunteer_activism:"),
        st.form("record_volunteering", clear_on_submit=True, enter_to_submit=False),
    ):
        place_id = _place_choice(desk.record_places, "volunteer_place")
        people = {person.id: person for person in desk.volunteers}
        person_id = st.selectbox(
            t("field.volunteer"),
            list(people),
            format_func=lambda pid: f"{people[pid].name} · {people[pid].home}",
            key="volunteer_person",
        )
        hours = st.number_input(
            t("field.hours"), min_value=1, max_value=24, step=1, key="volunteer_hours"
        )
        activity = st.text_input(t("field.activity"), max_chars=200, key="volunteer_activity")
        if (
            st.form_submit_button(t("points.record_submit"), type="primary")
            and person_id is not None
            and act(
                record_volunteering,
                viewer,
                person_id=person_id,
                place_id=place_id,
                hours=int(hours),
                activity=activity,
            )
            is not None
        ):
            st.toast(t("points.recorded"), icon=":material/check:")


def _rule_form(viewer: Viewer, desk: PointsDesk) -> None:
    with (
        st.expander(t("points.rule"), icon=":material/rule:"),
        st.form("points_rule", enter_to_submit=False),
    ):
        place_id = _place_choice(desk.rule_places, "rule_place")
        rate = st.number_input(
            t("field.points_per_hour"),
            min_value=1,
            max_value=1000,
            value=10,
            step=1,
            key="rule_rate",
        )
        if (
            st.form_submit_button(t("points.rule_submit"), type="primary")
            and act(set_points_rule, viewer, place_id=place_id, points_per_hour=int(rate))
            is not None
        ):
            st.toast(t("points.rule_set"), icon=":material/check:")


def _catalogue_form(viewer: Viewer, desk: PointsDesk) -> None:
    with (
        st.expander(t("points.add_item"), icon=":material/storefront:"),
        st.form("points_item", clear_on_submit=True, enter_to_submit=False),
    ):
        place_id = _place_choice(desk.catalogue_places, "item_place")
        name = st.text_input(t("field.name"), max_chars=120, key="item_name")
        merchant = st.text_input(
            t("field.merchant"), max_chars=120, key="item_merchant", help=t("points.merchant_help")
        )
        cost = st.number_input(
            t("field.points_cost"),
            min_value=1,
            max_value=1_000_000,
            value=100,
            step=10,
            key="item_cost",
        )
        list_price = st.text_input(t("field.list_price"), max_chars=40, key="item_list_price")
        if (
            st.form_submit_button(t("points.add_item_submit"), type="primary")
            and act(
                add_catalogue_item,
                viewer,
                place_id=place_id,
                name=name,
                merchant=merchant,
                points_cost=int(cost),
                list_price=list_price,
            )
            is not None
        ):
            st.toast(t("points.item_added"), icon=":material/check:")
            st.rerun()


def _share_rate_form(viewer: Viewer, desk: PointsDesk) -> None:
    by_id = {place.id: place for place in desk.rule_places}
    with (
        st.expander(t("points.share_rate"), icon=":material/currency_yuan:"),
        st.form("points_share_rate", enter_to_submit=False),
    ):
        place_id: int = st.selectbox(
            t("field.place"),
            list(by_id),
            format_func=lambda pid: (
                t("points.place_share", place=by_id[pid].name, fen=by_id[pid].fen_per_point)
                if by_id[pid].fen_per_point
                else t("points.place_no_share", place=by_id[pid].name)
            ),
            key="share_rate_place",
        )
        fen = st.number_input(
            t("field.fen_per_point"), min_value=1, max_value=10_000, value=10, key="share_fen"
        )
        st.caption(t("points.share_rate_help"))
        if (
            st.form_submit_button(t("points.share_rate_submit"), type="primary")
            and act(set_points_share_rate, viewer, place_id=place_id, fen_per_point=int(fen))
            is not None
        ):
            st.toast(t("points.share_rate_set"), icon=":material/check:")


def _share_form(viewer: Viewer, desk: PointsDesk, balance: int) -> None:
    """Points given as a special share of donation: counted in the fund's contributions."""
    funds = {fund.id: fund for fund in desk.share_funds}
    with (
        st.expander(t("points.share"), icon=":material/handshake:"),
        st.form("points_share", clear_on_submit=True, enter_to_submit=False),
    ):
        st.caption(t("points.share_help"))
        fund_id: int = st.selectbox(
            t("field.fund"),
            list(funds),
            format_func=lambda fid: t(
                "points.fund_share",
                fund=funds[fid].name,
                yuan=money(funds[fid].fen_per_point * 100),
            ),
            key="share_fund",
        )
        given = st.number_input(
            t("field.points"),
            min_value=1,
            max_value=max(balance, 1),
            value=max(min(balance, 100), 1),
            step=10,
            key="share_points",
        )
        note = st.text_input(t("field.note"), max_chars=200, key="share_note")
        if (
            st.form_submit_button(t("points.share_submit"), type="primary")
            and act(donate_points, viewer, fund_id=fund_id, points=int(given), note=note)
            is not None
        ):
            st.toast(t("points.shared", points=int(given)), icon=":material/check:")
            st.rerun()


def _correct_form(viewer: Viewer, desk: PointsDesk) -> None:
    """A mistaken entry is put right by a new adjustment with its reason, never edited."""
    shifts = {shift.entry_id: shift for shift in desk.shifts}
    with (
        st.expander(t("points.correct"), icon=":material/edit_note:"),
        st.form("points_correct", clear_on_submit=True, enter_to_submit=False),
    ):
        entry_id: int = st.selectbox(
            t("points.correct_entry"),
            list(shifts),
            format_func=lambda eid: t(
                "points.shift",
                volunteer=shifts[eid].volunteer,
                hours=shifts[eid].hours,
                activity=shifts[eid].activity,
                day=day(shifts[eid].recorded_at),
            ),
            key="correct_entry",
        )
        hours = st.number_input(
            t("points.correct_hours"), min_value=0, max_value=24, step=1, key="correct_hours"
        )
        reason = st.text_input(t("field.reason"), max_chars=200, key="correct_reason")
        if (
            st.form_submit_button(t("points.correct_submit"), type="primary")
            and entry_id is not None
            and act(
                correct_volunteering, viewer, entry_id=entry_id, hours=int(hours), reason=reason
            )
            is not None
        ):
            st.toast(t("points.corrected"), icon=":material/check:")


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.points"))
    st.caption(t("points.intro"))
    page = read(points_page, viewer=viewer)
    desk = page.desk
    if desk.rule_places:
        _rule_form(viewer, desk)
        _share_rate_form(viewer, desk)
    if desk.record_places:
        _record_form(viewer, desk)
    if desk.shifts:
        _correct_form(viewer, desk)
    if desk.catalogue_places:
        _catalogue_form(viewer, desk)
    if viewer.is_anonymous:
        st.info(t("points.sign_in"))
    else:
        _statement(page.statement)
        if desk.share_funds and page.statement.balance > 0:
            _share_form(viewer, desk, page.statement.balance)
    st.subheader(t("points.catalogue"))
    if not page.catalogue:
        empty_state("points.no_items")
    for item in page.catalogue:
        _item(viewer, item)


if __name__ == "__main__":
    st.switch_page("app.py")
