"""Administration: places, people and their roles, the audit log, checking the books, and
importing an election from a Pabulib file."""

import json

import streamlit as st

from models.vocabulary import CommitteePosition, PlaceKind, Role
from services.accounts import (
    PEOPLE_SHOWN,
    PersonRow,
    active_grants,
    add_person,
    grant_role,
    link_identity,
    list_people,
    revoke_role,
)
from services.alliances import alliance_names
from services.file_checks import MIB
from services.imports import MAX_IMPORT_BYTES, import_election
from services.ledger import fund_balances
from services.notice import audit_log, export_audit_log
from services.permissions import Action, Viewer, can_somewhere
from services.places import create_place, list_places, places_where_allowed
from services.verify import books_seal, verify_books
from ui.context import (
    act,
    current_viewer,
    identity_providers,
    label,
    message,
    moment,
    read,
    t,
    when_downloaded,
)
from ui.plain_text import plain
from ui.widgets import grid, guard, id_select, place_select, vocabulary_select
from voting import APP_RULES, TIE_BREAKS


def _places(viewer: Viewer) -> None:
    rows = read(list_places)
    grid(
        [{t("field.kind"): label("place_kind", p.kind), t("field.name"): p.path} for p in rows],
    )
    with st.form("new_place", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('admin.new_place')}**")
        kind = vocabulary_select(t("field.kind"), PlaceKind, "place_kind", key="place_kind")
        parents = {p.id: p.path for p in rows}
        parent = id_select(
            t("admin.parent"), parents, none=t("admin.no_parent"), key="place_parent"
        )
        name = st.text_input(t("field.name"), key="place_name")
        households = st.number_input(
            t("field.households"), min_value=0, step=1, key="place_households"
        )
        built_year = st.number_input(  # 0: not known
            t("field.built_year"), min_value=0, max_value=2200, step=1, key="place_built_year"
        )
        if (
            st.form_submit_button(t("admin.create"))
            and act(
                create_place,
                viewer,
                kind=kind,
                name=name,
                parent_id=parent,
                households=int(households) or None,
                built_year=int(built_year) or None,
            )
            is not None
        ):
            st.success(t("app.saved"))


def _people(viewer: Viewer) -> None:
    search = st.text_input(t("admin.search_people"), key="people_search", live=True)
    people = act(list_people, viewer, search=search) or []
    if len(people) == PEOPLE_SHOWN:
        st.caption(t("admin.people_first", count=PEOPLE_SHOWN))
    grid(
        [
            {
                "#": p.id,
                t("field.name"): p.display_name,
                t("admin.home"): p.home_place,
                t("field.role"): ", ".join(p.roles),
                t("admin.sign_ins"): ", ".join(p.sign_ins),
            }
            for p in people
        ],
    )
    places = {p.id: p.path for p in read(list_places)}
    left, right = st.columns(2, gap="large")
    with left, st.form("new_person", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('admin.new_person')}**")
        name = st.text_input(t("field.name"), key="person_name")
        username = st.text_input(t("field.username"), key="person_username")
        password = st.text_input(t("field.password"), type="password", key="person_password")
        home = id_select(t("admin.home"), places, none="—", key="person_home")
        if (
            st.form_submit_button(t("admin.create"))
            and act(
                add_person,
                viewer,
                display_name=name,
                username=username,
                password=password,
                home_place_id=home,
            )
            is not None
        ):
            st.session_state["person_saved"] = True
            st.rerun()  # the lists below were read before the new person existed
        if st.session_state.pop("person_saved", False):
            st.success(t("app.saved"))
    _revoke(viewer)
    providers = identity_providers()
    if providers:
        _link_identity(viewer, people, providers)
    with right, st.form("grant", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('admin.grant')}**")
        names = {p.id: p.display_name for p in people}
        person_id = id_select(t("admin.person"), names, key="grant_person")
        role = vocabulary_select(t("field.role"), Role, "role", key="grant_role")
        position = vocabulary_select(
            t("field.position"), CommitteePosition, "position", key="grant_position"
        )
        place_id = id_select(
            t("admin.scope"), places, none=t("admin.everywhere"), key="grant_place"
        )
        alliance_id = id_select(
            t("admin.alliance_scope"),
            {a.id: a.name for a in read(alliance_names)},
            none="—",
            key="grant_alliance",
        )
        st.caption(t("admin.alliance_scope_help"))
        if (
            st.form_submit_button(t("admin.grant_button"))
            and act(
                grant_role,
                viewer,
                person_id=person_id,
                role=role,
                place_id=place_id,
                alliance_id=alliance_id,
                position=position if role == Role.COMMITTEE_MEMBER else None,
            )
            is not None
        ):
            st.success(t("app.saved"))


def _revoke(viewer: Viewer) -> None:
    grants = act(active_grants, viewer) or []
    with st.form("revoke_role", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('admin.revoke')}**")
        labels = {
            g.id: " · ".join(
                filter(
                    None,
                    [
                        g.person,
                        label("role", g.role),
                        label("position", g.position) if g.position else "",
                        g.place or t("admin.everywhere"),
                    ],
                )
            )
            for g in grants
        }
        grant_id = id_select(t("admin.grant_to_revoke"), labels, key="revoke_grant")
        if (
            st.form_submit_button(t("admin.revoke_button"))
            and grant_id is not None
            and act(revoke_role, viewer, grant_id=grant_id) is not None
        ):
            st.success(t("app.saved"))


def _link_identity(viewer: Viewer, people: list[PersonRow], providers: list[str]) -> None:
    with st.form("link_identity", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('admin.link_identity')}**")
        st.caption(t("admin.link_identity_hint"))
        names = {p.id: p.display_name for p in people}
        person_id = id_select(t("admin.person"), names, key="link_person")
        provider = st.selectbox(
            t("field.provider"),
            providers,
            format_func=lambda name: t("account.provider_default") if name == "default" else name,
            key="link_provider",
        )
        subject = st.text_input(t("field.subject"), key="link_subject")
        if (
            st.form_submit_button(t("admin.link_button"))
            and act(link_identity, viewer, person_id=person_id, provider=provider, subject=subject)
            is not None
        ):
            st.success(t("app.saved"))


def _audit(viewer: Viewer) -> None:
    entries = act(audit_log, viewer)
    st.caption(t("admin.audit_note"))
    if entries is not None:  # the export asks for the same permission as the log
        st.download_button(
            t("admin.audit_export"),
            when_downloaded(export_audit_log, viewer),  # the whole log: made on the click
            file_name="linli-audit-log.csv",
            mime="text/csv",
            key="export_audit",
            on_click="ignore",
            icon=":material/download:",
        )
    grid(
        [
            {
                "#": e.id,
                t("admin.when"): moment(e.at),
                t("admin.actor"): e.actor_id,
                t("admin.action"): e.action,
                t("admin.entity"): f"{e.entity} {e.entity_id}",
                t("admin.after"): json.dumps(e.after, ensure_ascii=False)[:200],
            }
            for e in entries or []
        ],
    )


def _verify(viewer: Viewer) -> None:
    st.caption(t("verify.admin_intro"))
    st.code(read(books_seal).printed, language=None)
    with st.form("verify_books", enter_to_submit=False):
        printed = st.text_area(
            t("verify.published_heads"), help=t("verify.published_heads_help"), key="verify_heads"
        )
        checked = st.form_submit_button(t("verify.run"), icon=":material/verified:")
    result = act(verify_books, viewer, published=printed.splitlines()) if checked else None
    if result is None:
        return
    if result.ok:
        audit = result.chains["auditentry"].length
        st.success(t("verify.ok", entries=result.ledger.length, audit=audit))
        return
    st.error(t("verify.failed", count=len(result.problems)), icon=":material/gpp_bad:")
    for problem in result.problems:
        st.markdown(f"- {message(f'verify.problem.{problem.code}', problem.params)}")


def _import(viewer: Viewer) -> None:
    """A Pabulib file becomes a round in the counting phase; the committee counts it on the
    results screen. The browser refuses larger files already; the service checks again."""
    max_mb = MAX_IMPORT_BYTES // MIB
    st.caption(t("imports.intro", max_mb=max_mb))
    allowed = read(places_where_allowed, viewer=viewer, action=Action.MANAGE_ROUND)
    funds = {f.fund_id: f.name for f in read(fund_balances)}
    rules = list(APP_RULES)
    with st.form(
        "import_pb", clear_on_submit=True, enter_to_submit=False
    ):  # a second click imports nothing twice
        upload = st.file_uploader(
            t("imports.file"), type=["pb"], max_upload_size=max_mb, key="import_file"
        )
        place_id = place_select(t("imports.place"), key="import_place", allowed=allowed)
        fund_id = id_select(t("imports.fund"), funds, key="import_fund")
        rule = st.selectbox(
            t("field.rule"),
            rules,
            index=rules.index("mes+greedy"),
            format_func=lambda name: label("rule", name),
            key="import_rule",
        )
        tie_break = st.selectbox(
            t("field.tie_break"),
            TIE_BREAKS,
            format_func=lambda name: label("tie_break", name),
            key="import_tie_break",
        )
        sent = st.form_submit_button(t("imports.run"), icon=":material/upload_file:")
    if not sent:
        return
    if upload is None:
        st.warning(t("imports.no_file"))
        return
    with st.spinner(t("imports.working")):
        imported = act(
            import_election,
            viewer,
            data=upload.getvalue(),
            filename=upload.name,
            place_id=place_id,
            fund_id=fund_id,
            rule=rule,
            tie_break=tie_break,
        )
    if imported is not None:
        st.success(
            t(
                "imports.done",
                round=imported.round_id,
                name=plain(imported.name),
                proposals=imported.proposals,
                ballots=imported.ballots,
            ),
            icon=":material/check:",
        )
        st.info(t("imports.next", page=t("nav.tally")), icon=":material/leaderboard:")


def render() -> None:
    viewer = current_viewer()
    if not guard(viewer, Action.GRANT_ROLES):
        return
    st.title(t("nav.admin"))
    places, people, audit, books, imports = st.tabs(
        [
            t("admin.places"),
            t("admin.people"),
            t("admin.audit"),
            t("verify.tab"),
            t("imports.tab"),
        ]
    )
    with places:
        _places(viewer)
    with people:
        _people(viewer)
    if can_somewhere(viewer, Action.VIEW_AUDIT_LOG):
        with audit:
            _audit(viewer)
    if can_somewhere(viewer, Action.VERIFY_BOOKS):
        with books:
            _verify(viewer)
    if can_somewhere(viewer, Action.MANAGE_ROUND):
        with imports:
            _import(viewer)


if __name__ == "__main__":
    st.switch_page("app.py")
