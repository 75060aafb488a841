"""Rounds and funds (轮次与基金): the chair or an admin sets up a round (where, which fund, the
budget, the phases' planned dates, the ballot and how it is counted) and changes it until the
vote opens; creates funds under their parent fund and adopts new versions of their charters;
a treasurer passes money down the fund hierarchy.

One column of large labels, so that the forms read on a phone as on a desk; on a wide screen
the list sits beside the form. A refusal is shown under the field it names (``ui.forms``)."""

from collections.abc import Mapping
from datetime import date

import streamlit as st

from models.vocabulary import BallotKind, Category, FundKind
from services.funds import FundRow, adopt_charter, charter_versions, create_fund, fund_tree
from services.ledger import transfer_between_funds
from services.permissions import Action, Viewer, can_somewhere
from services.places import list_places, places_where_allowed
from services.rounds import (
    FIRST_DAY,
    LAST_DAY,
    PHASE_DATES,
    RULES_BY_KIND,
    RoundRow,
    RoundSettings,
    create_round,
    funds_for_round,
    list_rounds,
    round_settings,
    update_round,
)
from ui.charter_terms import charter_terms
from ui.context import current_viewer, day, label, money, read, t
from ui.forms import FieldForm
from ui.plain_text import plain
from ui.widgets import empty_state, guard, status_badge
from voting import TIE_BREAKS

# Styling only, and a constant: no user content ever goes through unsafe_allow_html.
FORM_CSS = """
<style>
[data-testid="stWidgetLabel"] p { font-size: 1.05rem; font-weight: 600; }
</style>
"""
ROUND_TARGET = "round_target"
DATE_FORMAT = "YYYY-MM-DD"


def _pick(title: str, names: Mapping[int, str], current: int | None, *, key: str) -> int | None:
    """A select box of ids shown by their names, on ``current`` when it is among them."""
    options = list(names)
    if not options:
        return None
    index = options.index(current) if current is not None and current in names else 0
    return st.selectbox(title, options, index=index, format_func=names.__getitem__, key=key)


def _typed_yuan(fen: int | None) -> str:
    """An amount as a person would type it again: "20000", "20000.50"; none: empty."""
    if fen is None:
        return ""
    yuan, rest = divmod(fen, 100)
    return f"{yuan}.{rest:02d}" if rest else str(yuan)


# --- rounds -----------------------------------------------------------------------------------


def _ballot_fields(
    form: FieldForm, kind: str, current: RoundSettings | None, prefix: str, budget: str
) -> tuple[int, int | None, int | None, int | None]:
    """The settings of this kind of ballot: least and most choices, points per project, points
    in total. A knapsack ballot's limit is the budget itself."""
    least, most, points, total = 1, None, None, None
    if current is not None and current.ballot_kind == kind:
        least, most = current.min_length, current.max_length
        points, total = current.max_points, current.max_sum_points
    if kind == BallotKind.KNAPSACK:
        st.info(t("rounds.knapsack_limit", budget=plain(budget) or "—"), icon=":material/backpack:")
        return 1, None, None, None
    if kind == BallotKind.CUMULATIVE:
        total = st.number_input(
            t("rounds.points_total"), min_value=1, step=1, value=total or 10, key=f"{prefix}total"
        )
        form.error_at("max_sum_points")
        return 1, None, None, int(total) if total is not None else None
    if kind == BallotKind.SCORES:
        points = st.number_input(
            t("rounds.points_max"), min_value=1, step=1, value=points or 5, key=f"{prefix}points"
        )
        form.error_at("max_points")
        return 1, None, int(points) if points is not None else None, None
    if kind == BallotKind.APPROVAL:
        least = st.number_input(
            t("field.min_length"), min_value=0, step=1, value=least, key=f"{prefix}least"
        )
        form.error_at("min_length")
    most = st.number_input(
        t("rounds.max_choices"),
        min_value=1,
        step=1,
        value=most,
        placeholder=t("rounds.any_number"),
        key=f"{prefix}most",
    )
    form.error_at("max_length")
    return int(least), int(most) if most is not None else None, None, None


def _counting_fields(
    form: FieldForm, kind: str, current: RoundSettings | None, prefix: str
) -> tuple[str, str]:
    rules = list(RULES_BY_KIND[kind])
    chosen = current.rule if current is not None else "mes+greedy"
    rule = st.radio(
        t("field.rule"),
        rules,
        index=rules.index(chosen) if chosen in rules else 0,
        format_func=lambda name: label("rule", name),
        captions=[t(f"rounds.rule_help.{name}") for name in rules],
        key=f"{prefix}rule_{kind}",  # each kind offers its own rules
    )
    form.error_at("rule")
    breaks = list(TIE_BREAKS)
    tie_break = st.radio(
        t("field.tie_break"),
        breaks,
        index=breaks.index(current.tie_break) if current is not None else 0,
        format_func=lambda name: label("tie_break", name),
        captions=[t(f"rounds.tie_break_help.{name}") for name in breaks],
        key=f"{prefix}tie_break",
    )
    form.error_at("tie_break")
    return str(rule), str(tie_break)


def _round_form(viewer: Viewer, round_id: int | None, allowed: set[int]) -> None:
    """New (``round_id`` None) or an existing round whose vote has not opened."""
    form = FieldForm(f"round_{round_id or 'new'}")
    prefix = form.prefix
    current = read(round_settings, round_id=round_id) if round_id is not None else None
    form.show_done()
    st.subheader(t("rounds.edit_title" if current else "rounds.new_title"), anchor=False)
    name = st.text_input(
        t("field.name"), value=current.name if current else "", key=f"{prefix}name"
    )
    form.error_at("name")
    year = st.number_input(
        t("field.year"),
        min_value=FIRST_DAY.year,
        max_value=LAST_DAY.year,
        step=1,
        value=current.year if current else date.today().year,
        key=f"{prefix}year",
    )
    form.error_at("year")
    places = {p.id: p.path for p in read(list_places) if p.id in allowed}
    place_id = _pick(
        t("field.place"), places, current.place_id if current else None, key=f"{prefix}place"
    )
    form.error_at("place")
    funds = read(funds_for_round, place_id=place_id)
    fund_id = _pick(
        t("field.fund"),
        funds,
        current.fund_id if current else None,
        key=f"{prefix}fund_{place_id}",  # each place offers its own funds
    )
    if not funds:
        empty_state("rounds.no_fund_here")
    form.error_at("fund")
    budget = st.text_input(
        t("rounds.budget_yuan"), value=current.budget if current else "", key=f"{prefix}budget"
    )
    form.error_at("budget")

    st.markdown(f"#### {t('rounds.dates')}")
    st.caption(t("rounds.dates_hint"))
    dates = {}
    for field in PHASE_DATES:
        dates[field] = st.date_input(
            t(f"field.{field}"),
            value=getattr(current, field) if current else None,
            min_value=FIRST_DAY,
            max_value=LAST_DAY,
            format=DATE_FORMAT,
            key=f"{prefix}{field}",
        )
        form.error_at(field)

    st.markdown(f"#### {t('rounds.ballot')}")
    kinds = [k.value for k in BallotKind]
    kind = st.radio(
        t("field.ballot_kind"),
        kinds,
        index=kinds.index(current.ballot_kind) if current else 0,
        format_func=lambda value: label("ballot_kind", value),
        captions=[t(f"rounds.kind_help.{k}") for k in kinds],
        key=f"{prefix}kind",
    )
    form.error_at("ballot_kind")
    least, most, points, total = _ballot_fields(form, str(kind), current, prefix, budget)
    rule, tie_break = _counting_fields(form, str(kind), current, prefix)
    changes = st.toggle(
        t("field.ballot_changes_allowed"),
        value=current.ballot_changes_allowed if current else False,
        key=f"{prefix}changes",
    )
    st.caption(t("rounds.changes_hint"))
    form.other_errors()
    pressed = st.button(
        t("rounds.save" if current else "rounds.create"),
        type="primary",
        icon=":material/save:",
        key=f"{prefix}submit",
    )
    if not pressed:
        return
    config = RoundSettings(
        name=name,
        year=int(year) if year is not None else 0,
        fund_id=fund_id or 0,
        place_id=place_id or 0,
        budget=budget,
        ballot_kind=str(kind),
        rule=rule,
        tie_break=tie_break,
        min_length=least,
        max_length=most,
        max_points=points,
        max_sum_points=total,
        ballot_changes_allowed=changes,
        **dates,
    )
    if round_id is None:
        if form.submit(create_round, viewer, config=config) is not None:
            form.start_again()
            form.done(t("rounds.created", name=plain(config.name.strip())))
            st.rerun()
    elif form.submit(update_round, viewer, round_id=round_id, config=config) is not None:
        form.done(t("app.saved"))
        st.rerun()


def _ballot_summary(r: RoundRow) -> str:
    if r.ballot_kind == BallotKind.KNAPSACK:
        return t("rounds.summary_knapsack", budget=money(r.budget_fen))
    if r.ballot_kind == BallotKind.CUMULATIVE:
        return t("rounds.summary_cumulative", total=r.max_sum_points)
    if r.ballot_kind == BallotKind.SCORES:
        return t("rounds.summary_scores", max=r.max_points)
    if r.ballot_kind == BallotKind.ORDINAL:
        if r.max_length is None:
            return t("rounds.summary_ordinal_all")
        return t("rounds.summary_ordinal", most=r.max_length)
    if r.max_length is None:
        return t("rounds.summary_approval_open", least=r.min_length)
    return t("rounds.summary_approval", least=r.min_length, most=r.max_length)


def _round_card(r: RoundRow) -> None:
    with st.container(border=True, key=f"round_card_{r.id}"):
        st.markdown(f"**{plain(r.name)}** · {r.year}")
        status_badge("phase", r.phase)
        st.markdown(f"{plain(r.place)} · {plain(r.fund)} · {money(r.budget_fen)}")
        st.markdown(f"{label('ballot_kind', r.ballot_kind)}: {_ballot_summary(r)}")
        st.markdown(
            t(
                "rounds.summary_counting",
                rule=label("rule", r.rule),
                tie=label("tie_break", r.tie_break),
            )
        )
        planned = [
            t("rounds.planned_line", phase=t(f"field.{field}"), day=day(on))
            for field, on in zip(PHASE_DATES, r.planned, strict=False)
            if on is not None
        ]
        if planned:
            st.caption("  \n".join(planned))
        st.caption(t("rounds.changes_yes" if r.ballot_changes_allowed else "rounds.changes_no"))
        if not r.editable:
            st.caption(t("rounds.settings_fixed"))


def _rounds(viewer: Viewer) -> None:
    allowed = read(places_where_allowed, viewer=viewer, action=Action.MANAGE_ROUND)
    rounds = [r for r in read(list_rounds) if r.place_id in allowed]
    editable = {r.id: f"{r.name} · {r.place}" for r in rounds if r.editable}
    form_side, list_side = st.columns([3, 2], gap="large")  # one above the other on a phone
    with form_side, st.container(border=True):
        target = _pick(
            t("rounds.which"),
            {0: t("rounds.new_round"), **editable},
            None,
            key=ROUND_TARGET,
        )
        _round_form(viewer, target or None, allowed)
    with list_side:
        st.subheader(t("rounds.list"), anchor=False)
        if not rounds:
            empty_state("app.nothing_yet")
        for r in rounds:
            _round_card(r)


# --- funds ------------------------------------------------------------------------------------


def _fund_item(row: FundRow, places: Mapping[int, str]) -> str:
    """A fund as an item of a nested markdown list: a fund under another is a sub-item."""
    indent = "  " * row.depth
    where = places.get(row.place_id, "") if row.place_id is not None else t("rounds.no_place")
    charter = (
        t("rounds.charter_version", version=row.charter_version)
        if row.charter_version
        else t("rounds.no_charter")
    )
    return (
        f"{indent}- **{plain(row.name)}** · {label('fund_kind', row.kind)} · {plain(where)}  \n"
        f"{indent}  {t('rounds.available', amount=money(row.available_fen))} · {charter}"
    )


def _new_fund(viewer: Viewer, rows: list[FundRow], places: Mapping[int, str]) -> None:
    form = FieldForm("new_fund")
    prefix = form.prefix
    form.show_done()
    st.subheader(t("rounds.new_fund"), anchor=False)
    st.caption(t("rounds.new_fund_hint"))
    allowed = read(places_where_allowed, viewer=viewer, action=Action.MANAGE_FUNDS)
    parents = {0: t("rounds.no_parent"), **{r.id: r.name for r in rows}}
    parent_id = _pick(t("field.parent"), parents, None, key=f"{prefix}parent")
    form.error_at("parent")
    kinds = [k.value for k in FundKind]
    kind = st.selectbox(
        t("field.kind"), kinds, format_func=lambda k: label("fund_kind", k), key=f"{prefix}kind"
    )
    form.error_at("kind")
    place_id = _pick(
        t("field.place"), {p: places[p] for p in places if p in allowed}, None, key=f"{prefix}place"
    )
    form.error_at("place")
    name = st.text_input(t("field.name"), key=f"{prefix}name")
    form.error_at("name")
    form.other_errors()
    if st.button(t("rounds.create_fund"), type="primary", key=f"{prefix}submit"):
        created = form.submit(
            create_fund,
            viewer,
            name=name,
            kind=kind,
            place_id=place_id,
            parent_id=parent_id or None,
        )
        if created is not None:
            form.start_again()
            form.done(t("rounds.fund_created", name=plain(name.strip())))
            st.rerun()


def _funds(viewer: Viewer) -> None:
    rows = read(fund_tree, viewer=viewer)
    places = {p.id: p.path for p in read(list_places)}
    tree_side, form_side = st.columns([3, 2], gap="large")
    with tree_side:
        st.subheader(t("rounds.fund_tree"), anchor=False)
        if not rows:
            empty_state("ledger.no_funds")
        else:
            with st.container(border=True):
                st.markdown("\n".join(_fund_item(row, places) for row in rows))
    if can_somewhere(viewer, Action.MANAGE_FUNDS):
        with form_side, st.container(border=True):
            _new_fund(viewer, rows, places)


def _charter_form(viewer: Viewer, fund_id: int) -> None:
    versions = read(charter_versions, fund_id=fund_id)
    current = versions[0] if versions else None
    form = FieldForm(f"charter_{fund_id}")
    prefix = form.prefix
    form.show_done()
    st.caption(t("rounds.charter_hint"))
    adopted_on = st.date_input(
        t("field.adopted_on"),
        value=date.today(),
        min_value=FIRST_DAY,
        max_value=LAST_DAY,
        format=DATE_FORMAT,
        key=f"{prefix}adopted_on",
    )
    form.error_at("adopted_on")
    categories = [c.value for c in Category]
    allowed = st.multiselect(
        t("field.allowed_categories"),
        categories,
        default=current.allowed_categories if current else [],
        format_func=lambda c: label("category", c),
        placeholder=t("rounds.any_category"),
        key=f"{prefix}allowed",
    )
    forbidden = st.multiselect(
        t("field.forbidden_categories"),
        categories,
        default=current.forbidden_categories if current else [],
        format_func=lambda c: label("category", c),
        placeholder=t("widgets.choose"),
        key=f"{prefix}forbidden",
    )
    form.error_at("category", "allowed_categories", "forbidden_categories")
    items = st.text_area(
        t("field.forbidden_items"),
        value="\n".join(current.forbidden_items or []) if current else "",
        help=t("rounds.forbidden_items_hint"),
        height=100,
        key=f"{prefix}forbidden_items",
    )
    form.error_at("forbidden_items")
    spend_where_raised = st.checkbox(
        t("field.spend_where_raised"),
        value=current.spend_where_raised if current else True,
        help=t("rounds.spend_where_raised_help"),
        key=f"{prefix}spend_where_raised",
    )
    cap = current.per_project_cap_fen if current else None
    project_cap = st.text_input(
        t("rounds.project_cap_yuan"),
        value=_typed_yuan(cap),
        key=f"{prefix}project_cap",
    )
    form.error_at("per_project_cap")
    year_cap = current.per_community_year_cap_fen if current else None
    community_cap = st.text_input(
        t("rounds.year_cap_yuan"),
        value=_typed_yuan(year_cap),
        key=f"{prefix}year_cap",
    )
    form.error_at("per_community_year_cap")
    co_funding = st.number_input(
        t("rounds.co_funding_permille"),
        min_value=0,
        max_value=1000,
        step=10,
        value=current.min_co_funding_permille if current else 0,
        key=f"{prefix}co_funding",
    )
    form.error_at("min_co_funding")
    text = st.text_area(
        t("field.text"), value=current.text if current else "", height=160, key=f"{prefix}text"
    )
    form.error_at("text")
    form.other_errors()
    if st.button(t("rounds.adopt"), type="primary", key=f"{prefix}submit"):
        adopted = form.submit(
            adopt_charter,
            viewer,
            fund_id=fund_id,
            adopted_on=adopted_on,
            allowed_categories=allowed,
            forbidden_categories=forbidden,
            per_project_cap=project_cap,
            per_community_year_cap=community_cap,
            min_co_funding_permille=int(co_funding) if co_funding is not None else 0,
            text=text,
            forbidden_items=[word.strip() for word in items.splitlines() if word.strip()],
            spend_where_raised=spend_where_raised,
        )
        if adopted is not None:
            form.start_again()  # the next version starts from this one
            form.done(t("rounds.charter_adopted"))
            st.rerun()
    st.subheader(t("rounds.charter_versions"), anchor=False)
    if not versions:
        empty_state("rounds.no_charter")
    for charter in versions:
        state = t("rounds.in_force") if charter is current else t("rounds.superseded")
        title = t("rounds.version_title", version=charter.version, day=day(charter.adopted_on))
        with st.expander(f"{title} · {state}", expanded=charter is current):
            charter_terms(charter)
            st.markdown(plain(charter.text) if charter.text else t("rounds.no_text"))


def _charters(viewer: Viewer) -> None:
    rows = [r for r in read(fund_tree, viewer=viewer) if r.may_manage]
    if not rows:
        empty_state("ledger.no_funds")
        return
    with st.container(border=True):
        fund_id = _pick(t("field.fund"), {r.id: r.name for r in rows}, None, key="charter_fund")
        if fund_id is not None:
            _charter_form(viewer, fund_id)


def _transfer(viewer: Viewer) -> None:
    rows = read(fund_tree, viewer=viewer)
    sources = {r.id: r for r in rows if r.may_transfer}
    if not sources:
        empty_state("ledger.no_funds")
        return
    form = FieldForm("transfer")
    prefix = form.prefix
    with st.container(border=True):
        form.show_done()
        st.caption(t("rounds.transfer_hint"))
        source_id = _pick(
            t("rounds.transfer_from"),
            {i: f"{r.name} · {money(r.available_fen)}" for i, r in sources.items()},
            None,
            key=f"{prefix}from",
        )
        if source_id is None:
            return
        st.markdown(t("rounds.available", amount=money(sources[source_id].available_fen)))
        under = [r for r in rows if r.parent_id == source_id]
        targets = {r.id: r.name for r in [*under, *rows] if r.id != source_id}
        destination_id = _pick(
            t("rounds.transfer_to"),
            targets,
            under[0].id if under else None,
            key=f"{prefix}to_{source_id}",
        )
        form.error_at("destination")
        amount = st.text_input(t("ledger.amount_yuan"), key=f"{prefix}amount")
        form.error_at("amount")
        occurred_on = st.date_input(
            t("notice.date"),
            value=date.today(),
            min_value=FIRST_DAY,
            max_value=LAST_DAY,
            format=DATE_FORMAT,
            key=f"{prefix}date",
        )
        purpose = st.text_input(t("field.purpose"), key=f"{prefix}purpose")
        form.error_at("purpose")
        form.other_errors()
        if st.button(t("rounds.transfer"), type="primary", key=f"{prefix}submit"):
            moved = form.submit(
                transfer_between_funds,
                viewer,
                source_fund_id=source_id,
                destination_fund_id=destination_id or 0,
                amount=amount,
                purpose=purpose,
                occurred_on=occurred_on,
            )
            if moved is not None:
                form.start_again()
                form.done(t("rounds.transferred"))
                st.rerun()


def render() -> None:
    viewer = current_viewer()
    if not guard(viewer, Action.MANAGE_ROUND, Action.MANAGE_FUNDS, Action.RECORD_EXPENSE):
        return
    st.markdown(FORM_CSS, unsafe_allow_html=True)
    st.title(t("nav.rounds"))
    shown = []
    if can_somewhere(viewer, Action.MANAGE_ROUND):
        shown.append((t("rounds.tab_rounds"), _rounds))
    shown.append((t("rounds.tab_funds"), _funds))
    if can_somewhere(viewer, Action.MANAGE_FUNDS):
        shown.append((t("rounds.tab_charters"), _charters))
    if can_somewhere(viewer, Action.RECORD_EXPENSE):
        shown.append((t("rounds.tab_transfer"), _transfer))
    for tab, (_, draw) in zip(st.tabs([title for title, _ in shown]), shown, strict=True):
        with tab:
            draw(viewer)


if __name__ == "__main__":
    st.switch_page("app.py")
