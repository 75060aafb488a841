"""Next year's support (来年资助分配): a street's split of next year's seed money across its
communities, each community's amount with the formula and its own numbers plugged in (so that
a reviewer can redo it by hand), and the reviewers' adjustments with their reasons; for the
street's reviewers, the forms to draft, adjust and publish. Lists, not grids: it is read on
phones at the review session."""

from datetime import date
from fractions import Fraction

import streamlit as st

from services.allocation import (
    LEVERAGE_CAP,
    MIN_REASON,
    AllocationPage,
    LineView,
    PlanView,
    Split,
    adjust_allocation,
    allocation_page,
    draft_allocation_plan,
    publish_allocation,
)
from services.permissions import Viewer
from ui.allocation_formula import decimal, exact_yuan, need_line, performance_line
from ui.context import act, current_viewer, label, locale, moment, money, read, t
from ui.plain_text import plain
from ui.report_buttons import report_buttons
from ui.reports import allocation as allocation_report
from ui.reports.layout import Words
from ui.widgets import confirmed, empty_state, id_select

PLAN_KEY = "allocation_plan"
DEFAULT_FLOOR, DEFAULT_NEED = 40, 60
PER_ROW = 3


def _yuan(fen: Fraction) -> str:
    return exact_yuan(Words(locale()), fen)


def _pools(split: Split) -> None:
    total = money(split.total_fen)
    st.markdown(
        t(
            "allocation.floor_pool",
            total=total,
            percent=split.floor_percent,
            amount=_yuan(split.floor_pool),
        )
    )
    st.markdown(
        t(
            "allocation.need_pool",
            total=total,
            floor=_yuan(split.floor_pool),
            percent=split.need_percent,
            amount=_yuan(split.need_pool),
        )
    )
    st.markdown(
        t(
            "allocation.performance_pool",
            total=total,
            floor=_yuan(split.floor_pool),
            need=_yuan(split.need_pool),
            amount=_yuan(split.performance_pool),
        )
    )
    households, needs, years = split.need_totals
    st.caption(
        t("allocation.need_rule", households=f"{households:,}", needs=f"{needs:,}", years=years)
    )


def _formula(plan: PlanView) -> None:
    split = plan.split
    with st.container(border=True, key=f"allocation_formula_{plan.id}"):
        st.subheader(t("allocation.formula"))
        st.markdown(t("allocation.formula_rule"))
        _pools(split)
        if split.score_total:
            st.caption(
                t(
                    "allocation.performance_rule",
                    year=plan.year - 1,
                    cap=LEVERAGE_CAP,
                    score_total=decimal(split.score_total),
                )
            )
        else:
            st.caption(t("allocation.performance_even", year=plan.year - 1))


def _line(plan: PlanView, line: LineView) -> None:
    split, count = plan.split, len(plan.lines)
    part = line.part
    with st.container(border=True, key=f"allocation_line_{plan.id}_{line.community_id}"):
        adjusted = line.amount_fen - part.amount_fen
        st.metric(
            plain(line.community),
            money(line.amount_fen),
            delta=money(adjusted) if adjusted else None,
        )
        if adjusted:
            st.caption(t("allocation.suggested", amount=money(part.amount_fen)))
        st.markdown(
            t(
                "allocation.floor_line",
                pool=_yuan(split.floor_pool),
                count=count,
                amount=_yuan(part.floor),
            )
        )
        words = Words(locale())
        st.markdown(need_line(words, split, part))
        st.markdown(performance_line(words, split, part))
        st.markdown(
            t("allocation.sum_line", exact=_yuan(part.exact), amount=money(part.amount_fen))
        )


def _adjustments(plan: PlanView) -> None:
    st.subheader(t("allocation.adjustments"))
    if not plan.adjustments:
        empty_state("allocation.no_adjustments")
    for index, made in enumerate(plan.adjustments):
        with st.container(border=True, key=f"allocation_adjustment_{plan.id}_{index}"):
            st.markdown(
                t(
                    "allocation.adjustment_line",
                    community=plain(made.community),
                    before=money(made.before_fen),
                    after=money(made.after_fen),
                    counterpart=plain(made.counterpart),
                    counterpart_before=money(made.counterpart_before_fen),
                    counterpart_after=money(made.counterpart_after_fen),
                )
            )
            st.markdown(t("allocation.adjustment_reason", reason=plain(made.reason)))
            st.caption(t("allocation.adjustment_meta", name=plain(made.by), at=moment(made.at)))


def _adjust_form(viewer: Viewer, plan: PlanView) -> None:
    names = {line.community_id: plain(line.community) for line in plan.lines}
    key = f"allocation_adjust_{plan.id}"
    with (
        st.expander(t("allocation.adjust"), icon=":material/tune:"),
        st.form(key, clear_on_submit=True, enter_to_submit=False),
    ):
        st.caption(
            t(
                "allocation.adjust_help",
                total=money(plan.split.total_fen),
                minimum=MIN_REASON,
            )
        )
        community = id_select(t("field.community"), names, key=f"{key}_community")
        amount = st.text_input(t("field.amount"), max_chars=40, key=f"{key}_amount")
        counterpart = id_select(t("field.counterpart"), names, key=f"{key}_counterpart")
        reason = st.text_area(t("field.reason"), max_chars=500, key=f"{key}_reason")
        if (
            st.form_submit_button(t("allocation.adjust_submit"), type="primary")
            and act(
                adjust_allocation,
                viewer,
                plan_id=plan.id,
                community_id=community,
                amount=amount,
                counterpart_id=counterpart,
                reason=reason,
            )
            is not None
        ):
            st.toast(t("allocation.adjusted"), icon=":material/check:")
            st.rerun()


def _publish(viewer: Viewer, plan: PlanView) -> None:
    if not plan.can_publish:
        st.caption(t("allocation.publish_own"))
        return
    if (
        confirmed(
            f"allocation_publish_{plan.id}",
            t("allocation.publish"),
            t("allocation.publish_question"),
        )
        and act(publish_allocation, viewer, plan_id=plan.id) is not None
    ):
        st.toast(t("allocation.published"), icon=":material/check:")
        st.rerun()


def _plan(viewer: Viewer, plan: PlanView) -> None:
    st.header(t("allocation.title", street=plain(plan.street), year=plan.year))
    if plan.published_by is None:
        st.info(t("allocation.draft_note"), icon=":material/edit_note:")
        st.caption(
            t("allocation.drafted_meta", name=plain(plan.drafted_by), at=moment(plan.drafted_at))
        )
    else:
        st.success(
            t(
                "allocation.published_meta",
                name=plain(plan.published_by),
                at=moment(plan.published_at),
            ),
            icon=":material/verified:",
        )
    total, communities = st.columns(2)
    total.metric(t("allocation.total"), money(plan.split.total_fen))
    communities.metric(t("allocation.communities"), len(plan.lines))
    _formula(plan)
    # Side by side on a wall or a laptop, three to a row; a phone stacks the columns.
    for start in range(0, len(plan.lines), PER_ROW):
        row = plan.lines[start : start + PER_ROW]
        for column, line in zip(st.columns(PER_ROW), row, strict=False):
            with column:
                _line(plan, line)
    _adjustments(plan)
    report_buttons(
        viewer,
        allocation_report.read_report,
        key=f"allocation_{plan.id}",
        file_name=f"linli-allocation-{plan.id}-{plan.year}",
        read_workbook=allocation_report.read_workbook,
        plan_id=plan.id,
    )
    if plan.can_adjust:
        _adjust_form(viewer, plan)
        _publish(viewer, plan)


def _draft_form(viewer: Viewer, page: AllocationPage) -> None:
    streets = {street.id: plain(street.name) for street in page.streets}
    with (
        st.expander(t("allocation.draft"), icon=":material/add_chart:"),
        st.form("allocation_draft", clear_on_submit=True, enter_to_submit=False),
    ):
        st.caption(t("allocation.draft_help"))
        street = id_select(t("field.street"), streets, key="allocation_draft_street")
        year = st.number_input(
            t("field.year"),
            min_value=2000,
            max_value=2200,
            value=date.today().year + 1,
            key="allocation_draft_year",
        )
        total = st.text_input(t("field.total"), max_chars=40, key="allocation_draft_total")
        floor = st.number_input(
            t("field.floor_percent"),
            min_value=0,
            max_value=100,
            value=DEFAULT_FLOOR,
            key="allocation_draft_floor",
        )
        need = st.number_input(
            t("field.need_percent"),
            min_value=0,
            max_value=100,
            value=DEFAULT_NEED,
            key="allocation_draft_need",
        )
        if st.form_submit_button(t("allocation.draft_submit"), type="primary"):
            plan_id = act(
                draft_allocation_plan,
                viewer,
                street_id=street,
                year=int(year),
                total=total,
                floor_percent=int(floor),
                need_percent=int(need),
            )
            if plan_id is not None:
                st.session_state[PLAN_KEY] = plan_id
                st.toast(t("allocation.drafted"), icon=":material/check:")
                st.rerun()


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.allocation"))
    st.caption(t("allocation.intro"))
    page = read(allocation_page, viewer=viewer, plan_id=st.session_state.get(PLAN_KEY))
    if page.streets:
        _draft_form(viewer, page)
    if page.plan is None:
        empty_state("allocation.none")
        return
    if len(page.plans) > 1:
        choices = {
            plan.id: t(
                "allocation.plan_label",
                street=plain(plan.street),
                year=plan.year,
                status=label("allocation_status", plan.status),
            )
            for plan in page.plans
        }
        picked = st.selectbox(
            t("allocation.plan_choice"),
            list(choices),
            index=list(choices).index(page.plan.id),
            format_func=choices.__getitem__,
        )
        if picked != page.plan.id:
            st.session_state[PLAN_KEY] = picked
            st.rerun()
    _plan(viewer, page.plan)


if __name__ == "__main__":
    st.switch_page("app.py")
