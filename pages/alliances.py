"""Alliances of communities (组团联建): the members and their agreed ratios, what each has paid
into the joint fund so far, the council's chair and its rotation, joint events and proposals,
and the third-party evaluator's scores; the chair's call for contributions and the evaluator's
form. Lists, not grids: members of the council and residents read this on a phone."""

from datetime import date

import streamlit as st

from services.alliances import (
    MAX_ROTATION_MONTHS,
    PERMILLE,
    AllianceView,
    MemberShare,
    StreetChoice,
    WorkView,
    add_joint_proposal,
    alliance_choices,
    alliances_page,
    call_contributions,
    form_alliance,
    fund_joint_proposal,
    record_joint_event,
    score_joint_work,
)
from services.permissions import Viewer
from ui.context import act, current_viewer, day, label, locale, money, read, t
from ui.i18n import format_permille
from ui.plain_text import plain
from ui.widgets import empty_state

SCORES = (1, 2, 3, 4, 5)


def _members(alliance: AllianceView) -> None:
    st.subheader(t("alliances.members"))
    for member in alliance.members:
        with st.container(border=True, key=f"alliance_member_{alliance.id}_{member.community_id}"):
            st.markdown(
                t(
                    "alliances.member_line",
                    name=plain(member.name),
                    percent=format_permille(member.permille, locale()),
                )
            )
            st.markdown(
                t("alliances.contributed", amount=money(member.contributed_fen)),
                help=t("alliances.contributed_help", fund=plain(member.fund)),
            )
            if member.chairs_now:
                st.badge(t("alliances.chairs_now"), icon=":material/gavel:", color="blue")


def _council(alliance: AllianceView) -> None:
    st.subheader(t("alliances.council"))
    if alliance.chair is None:
        st.markdown(t("alliances.no_chair_yet"))
    else:
        st.markdown(t("alliances.chair_now", community=plain(alliance.chair)))
    st.caption(t("alliances.rotation", months=alliance.rotation_months))
    for term in alliance.schedule:
        st.markdown(
            t(
                "alliances.term",
                community=plain(term.community),
                starts=day(term.starts),
                ends=day(term.ends),
            )
        )


def _call_form(viewer: Viewer, alliance: AllianceView) -> None:
    with (
        st.expander(t("alliances.call"), icon=":material/savings:"),
        st.form(f"alliance_call_{alliance.id}", clear_on_submit=True, enter_to_submit=False),
    ):
        st.caption(t("alliances.call_help"))
        amount = st.text_input(t("field.amount"), max_chars=40, key=f"call_amount_{alliance.id}")
        purpose = st.text_input(
            t("field.purpose"), max_chars=500, key=f"call_purpose_{alliance.id}"
        )
        called_on = st.date_input(t("field.called_on"), key=f"call_on_{alliance.id}")
        if (
            st.form_submit_button(t("alliances.call_submit"), type="primary")
            and isinstance(called_on, date)
            and act(
                call_contributions,
                viewer,
                alliance_id=alliance.id,
                amount=amount,
                purpose=purpose,
                called_on=called_on,
            )
            is not None
        ):
            st.toast(t("alliances.called"), icon=":material/check:")
            st.rerun()


def _fund_form(viewer: Viewer, alliance: AllianceView, proposal: WorkView) -> None:
    key = f"joint_fund_{alliance.id}_{proposal.proposal_id}"
    with (
        st.expander(t("alliances.fund"), icon=":material/payments:"),
        st.form(key, clear_on_submit=True, enter_to_submit=False),
    ):
        amount = st.text_input(t("field.amount"), max_chars=40, key=f"{key}_amount")
        occurred_on = st.date_input(t("field.occurred_on"), key=f"{key}_on")
        if (
            st.form_submit_button(t("alliances.fund_submit"), type="primary")
            and isinstance(occurred_on, date)
            and proposal.proposal_id is not None
            and act(
                fund_joint_proposal,
                viewer,
                alliance_id=alliance.id,
                proposal_id=proposal.proposal_id,
                amount=amount,
                occurred_on=occurred_on,
            )
            is not None
        ):
            st.toast(t("alliances.funded"), icon=":material/check:")
            st.rerun()


def _event_form(viewer: Viewer, alliance: AllianceView) -> None:
    key = f"joint_event_{alliance.id}"
    places = {place.id: place.name for place in alliance.event_places}
    with (
        st.expander(t("alliances.record_event"), icon=":material/event:"),
        st.form(key, clear_on_submit=True, enter_to_submit=False),
    ):
        title = st.text_input(t("field.title"), max_chars=200, key=f"{key}_title")
        place_id = st.selectbox(
            t("field.place"), list(places), format_func=places.__getitem__, key=f"{key}_place"
        )
        held_on = st.date_input(t("field.held_on"), key=f"{key}_on")
        participants = st.number_input(
            t("field.participants"), min_value=0, max_value=100_000, step=10, key=f"{key}_count"
        )
        if (
            st.form_submit_button(t("alliances.record_event_submit"), type="primary")
            and place_id is not None
            and isinstance(held_on, date)
            and act(
                record_joint_event,
                viewer,
                alliance_id=alliance.id,
                title=title,
                held_on=held_on,
                place_id=place_id,
                participants=int(participants),
            )
            is not None
        ):
            st.toast(t("alliances.event_recorded"), icon=":material/check:")
            st.rerun()


def _calls(alliance: AllianceView) -> None:
    st.subheader(t("alliances.calls"))
    if not alliance.calls:
        empty_state("alliances.no_calls")
    for call in alliance.calls:
        with st.container(border=True, key=f"alliance_call_{call.id}"):
            st.markdown(f"**{money(call.amount_fen)}** · {plain(call.purpose)}")
            st.caption(t("alliances.call_meta", day=day(call.called_on), chair=plain(call.chair)))


def _score_form(viewer: Viewer, alliance: AllianceView, work: WorkView) -> None:
    key = f"score_{alliance.id}_{work.event_id or 0}_{work.proposal_id or 0}"
    with (
        st.expander(t("alliances.evaluate"), icon=":material/rate_review:"),
        st.form(key, enter_to_submit=False),
    ):
        satisfaction = st.segmented_control(
            t("field.satisfaction"), SCORES, default=3, key=f"{key}_satisfaction"
        )
        resource_use = st.segmented_control(
            t("field.resource_use"), SCORES, default=3, key=f"{key}_resource_use"
        )
        comment = st.text_area(t("field.comment"), max_chars=500, key=f"{key}_comment")
        if (
            st.form_submit_button(t("alliances.evaluate_submit"), type="primary")
            and satisfaction is not None
            and resource_use is not None
            and act(
                score_joint_work,
                viewer,
                alliance_id=alliance.id,
                event_id=work.event_id,
                proposal_id=work.proposal_id,
                satisfaction=satisfaction,
                resource_use=resource_use,
                comment=comment,
            )
            is not None
        ):
            st.toast(t("alliances.evaluated"), icon=":material/check:")
            st.rerun()


def _work(viewer: Viewer, alliance: AllianceView) -> None:
    st.subheader(t("alliances.events"))
    if alliance.event_places:
        _event_form(viewer, alliance)
    if not alliance.events:
        empty_state("alliances.no_events")
    for event in alliance.events:
        with st.container(border=True, key=f"alliance_event_{event.event_id}"):
            st.markdown(f"**{plain(event.title)}**")
            st.caption(
                t(
                    "alliances.event_meta",
                    place=plain(event.place),
                    day=day(event.held_on),
                    participants=event.participants,
                )
            )
            if event.evaluable:
                _score_form(viewer, alliance, event)
    st.subheader(t("alliances.proposals"))
    if alliance.joinable:
        _take_up_form(viewer, alliance)
    if not alliance.proposals:
        empty_state("alliances.no_proposals")
    for proposal in alliance.proposals:
        with st.container(border=True, key=f"alliance_proposal_{proposal.proposal_id}"):
            st.markdown(f"**{plain(proposal.title)}**")
            st.caption(
                t(
                    "alliances.proposal_meta",
                    place=plain(proposal.place),
                    status=label("status", proposal.status or ""),
                )
            )
            if proposal.allocated_fen:
                st.markdown(t("alliances.allocated", amount=money(proposal.allocated_fen)))
            if alliance.may_call:
                _fund_form(viewer, alliance, proposal)
            if proposal.evaluable:
                _score_form(viewer, alliance, proposal)


def _take_up_form(viewer: Viewer, alliance: AllianceView) -> None:
    key = f"joint_take_up_{alliance.id}"
    titles = {choice.id: choice.name for choice in alliance.joinable}
    with (
        st.expander(t("alliances.take_up"), icon=":material/handshake:"),
        st.form(key, clear_on_submit=True, enter_to_submit=False),
    ):
        st.caption(t("alliances.take_up_help"))
        proposal_id = st.selectbox(
            t("field.proposal"),
            list(titles),
            format_func=titles.__getitem__,
            key=f"{key}_proposal",
        )
        if (
            st.form_submit_button(t("alliances.take_up_submit"), type="primary")
            and proposal_id is not None
            and act(add_joint_proposal, viewer, alliance_id=alliance.id, proposal_id=proposal_id)
            is not None
        ):
            st.toast(t("alliances.taken_up"), icon=":material/check:")
            st.rerun()


def _scores(alliance: AllianceView) -> None:
    st.subheader(t("alliances.scores"))
    if not alliance.scores:
        empty_state("alliances.no_scores")
    for index, score in enumerate(alliance.scores):
        with st.container(border=True, key=f"alliance_score_{alliance.id}_{index}"):
            st.markdown(f"**{plain(score.target)}**")
            st.markdown(
                t(
                    "alliances.score_line",
                    satisfaction=score.satisfaction,
                    resource_use=score.resource_use,
                )
            )
            if score.comment:
                st.markdown(plain(score.comment))
            st.caption(
                t(
                    "alliances.score_meta",
                    evaluator=plain(score.evaluator),
                    day=day(score.recorded_at),
                )
            )


def _alliance(viewer: Viewer, alliance: AllianceView) -> None:
    st.header(plain(alliance.name), divider=True)
    about = t("alliances.about", street=plain(alliance.street))
    if alliance.evaluator:
        about = t("alliances.about_evaluator", about=about, evaluator=plain(alliance.evaluator))
    st.caption(about)
    paid, held = st.columns(2)
    paid.metric(t("alliances.contributed_total"), money(alliance.contributed_fen))
    held.metric(t("alliances.joint_fund"), money(alliance.joint_fund_fen))
    _members(alliance)
    _council(alliance)
    if alliance.may_call:
        _call_form(viewer, alliance)
    _calls(alliance)
    _work(viewer, alliance)
    _scores(alliance)


def _member_shares(street: StreetChoice) -> list[MemberShare]:
    """The chosen communities in turn order, each with its ratio and paying fund; the running
    sum of the ratios is shown as they are typed, the service refuses any other sum than 1000."""
    communities = {community.id: community for community in street.communities}
    names = {community.id: community.name for community in street.communities}
    chosen = st.multiselect(
        t("field.members"),
        list(communities),
        format_func=names.__getitem__,
        placeholder=t("alliances.form_members_placeholder"),
        help=t("alliances.form_members_help"),
        key=f"form_alliance_members_{street.id}",
    )
    shares = []
    for community_id in chosen:
        community = communities[community_id]
        with st.container(border=True, key=f"form_alliance_member_{community_id}"):
            st.markdown(f"**{plain(community.name)}**")
            permille = st.number_input(
                t("field.contribution_permille"),
                min_value=0,
                max_value=PERMILLE,
                step=50,
                key=f"form_alliance_permille_{community_id}",
            )
            funds = {fund.id: fund.name for fund in community.funds}
            fund_id = st.selectbox(
                t("field.fund"),
                list(funds),
                format_func=funds.__getitem__,
                key=f"form_alliance_fund_{community_id}",
            )
        if fund_id is not None:
            shares.append(MemberShare(community_id, fund_id, int(permille)))
    total = sum(share.permille for share in shares)
    if chosen and total == PERMILLE:
        st.success(t("alliances.ratio_sum_ok", total=total), icon=":material/check:")
    elif chosen:
        st.warning(t("error.alliance_ratios_sum", total=total), icon=":material/warning:")
    return shares


def _form(viewer: Viewer, streets: list[StreetChoice]) -> None:
    """Not a st.form: the running sum of the ratios must follow each change."""
    with st.expander(t("alliances.form"), icon=":material/group_add:"):
        st.caption(t("alliances.form_help"))
        by_id = {street.id: street for street in streets}
        street_names = {street.id: street.name for street in streets}
        street_id = st.selectbox(
            t("field.street"),
            list(by_id),
            format_func=street_names.__getitem__,
            key="form_alliance_street",
        )
        if street_id is None:
            return
        name = st.text_input(t("field.name"), max_chars=120, key="form_alliance_name")
        shares = _member_shares(by_id[street_id])
        months = st.number_input(
            t("field.rotation_months"),
            min_value=1,
            max_value=MAX_ROTATION_MONTHS,
            value=12,
            key="form_alliance_months",
        )
        council_from = st.date_input(t("field.council_from"), key="form_alliance_from")
        evaluator = st.text_input(
            t("field.evaluator"), max_chars=200, key="form_alliance_evaluator"
        )
        if (
            st.button(t("alliances.form_submit"), type="primary", key="form_alliance_submit")
            and isinstance(council_from, date)
            and act(
                form_alliance,
                viewer,
                name=name,
                members=shares,
                rotation_months=int(months),
                council_from=council_from,
                evaluator=evaluator,
            )
            is not None
        ):
            for key in [k for k in st.session_state if str(k).startswith("form_alliance_")]:
                del st.session_state[key]
            st.toast(t("alliances.formed"), icon=":material/check:")
            st.rerun()


def render() -> None:
    viewer = current_viewer()
    st.title(t("nav.alliances"))
    st.caption(t("alliances.intro"))
    streets = read(alliance_choices, viewer=viewer)
    if streets:
        _form(viewer, streets)
    found = read(alliances_page, viewer=viewer)
    if not found:
        empty_state("alliances.none")
    for alliance in found:
        _alliance(viewer, alliance)


if __name__ == "__main__":
    st.switch_page("app.py")
