"""Needs collection (群众点单): residents post needs, neighbours support them."""

import streamlit as st

from models.vocabulary import Category, PlaceKind
from services.needs import DemandRow, list_needs, needs_demand, post_need, support_need
from services.permissions import Action, Viewer, can_somewhere
from services.places import places_where_allowed
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


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.needs"))
    st.caption(t("needs.intro"))
    if can_somewhere(viewer, Action.POST_NEED):
        _post_form(viewer)
    if demand := read(needs_demand):
        _demand(demand)
    needs = read(list_needs)
    if not needs:
        empty_state("needs.none")
    may_support = can_somewhere(viewer, Action.SUPPORT)
    for need in needs:
        with st.container(border=True):
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


if __name__ == "__main__":
    st.switch_page("app.py")
