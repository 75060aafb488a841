import pytest
from sqlmodel import Session, func, select

from models import Account, Person, RoleGrant
from models.vocabulary import Role
from services.accounts import (
    active_grants,
    create_first_admin,
    grant_role,
    link_identity,
    revoke_role,
    sign_in_local,
    sign_in_with_provider,
)
from services.errors import Conflict, InvalidInput, NotAllowed, SignInFailed
from tests.world import World


def test_first_admin_only_on_an_empty_store(session: Session) -> None:
    with pytest.raises(InvalidInput):
        create_first_admin(session, display_name="Admin", username="root", password="short")
    assert session.exec(select(func.count()).select_from(Person)).one() == 0
    admin = create_first_admin(
        session, display_name="Admin", username="Root", password="a long passphrase"
    )
    assert admin.viewer.has_role(Role.ADMIN)
    stored = session.exec(select(Account)).one()
    assert stored.subject == "root" and stored.password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    with pytest.raises(NotAllowed):
        create_first_admin(
            session, display_name="Mallory", username="mallory", password="another passphrase"
        )


def test_local_sign_in_says_the_same_for_unknown_names_and_wrong_passwords(
    session: Session,
) -> None:
    create_first_admin(session, display_name="Admin", username="root", password="a long passphrase")
    assert (
        sign_in_local(session, username=" ROOT ", password="a long passphrase").viewer.display_name
        == "Admin"
    )
    for username, password in (("root", "wrong passphrase"), ("nobody", "a long passphrase")):
        with pytest.raises(SignInFailed) as raised:
            sign_in_local(session, username=username, password=password)
        assert raised.value.code == "sign_in_failed" and raised.value.params == {}


def test_a_provider_identity_becomes_a_person_without_roles(world: World) -> None:
    viewer = sign_in_with_provider(
        world.session, provider="default", subject="Li.Ming@example.org", display_name="李明"
    )
    again = sign_in_with_provider(
        world.session, provider="default", subject="li.ming@example.org", display_name="李明"
    )
    assert viewer.person_id == again.person_id and viewer.grants == ()
    grant_role(
        world.session,
        world.viewer("admin"),
        person_id=viewer.person_id,
        role="resident",
        place_id=world.compound_a1,
    )  # type: ignore[arg-type]
    assert sign_in_with_provider(
        world.session, provider="default", subject="li.ming@example.org", display_name=""
    ).has_role(Role.RESIDENT)


def test_only_admins_grant_roles_and_revoked_grants_stop_working(world: World) -> None:
    before = world.session.exec(select(func.count()).select_from(RoleGrant)).one()
    with pytest.raises(NotAllowed):
        grant_role(
            world.session,
            world.viewer("chair_a"),
            person_id=world.people["outsider"],
            role="clerk",
            place_id=world.community_a,
        )
    with pytest.raises(InvalidInput):
        grant_role(
            world.session,
            world.viewer("admin"),
            person_id=world.people["outsider"],
            role="overlord",
            place_id=None,
        )
    assert world.session.exec(select(func.count()).select_from(RoleGrant)).one() == before
    grant_role(
        world.session,
        world.viewer("admin"),
        person_id=world.people["outsider"],
        role="committee_member",
        position="secretary",
        place_id=world.community_a,
    )
    assert world.viewer("outsider").has_role(Role.COMMITTEE_MEMBER)


def test_an_admin_links_a_provider_identity_to_a_person(world: World) -> None:
    chair = world.people["chair_a"]
    link_identity(
        world.session,
        world.viewer("admin"),
        person_id=chair,
        provider="default",
        subject=" Chair.A@Example.org ",
    )
    signed_in = sign_in_with_provider(
        world.session, provider="default", subject="chair.a@example.org", display_name="someone"
    )
    assert signed_in.person_id == chair and signed_in.has_role(Role.COMMITTEE_MEMBER)
    with pytest.raises(Conflict):
        link_identity(
            world.session,
            world.viewer("admin"),
            person_id=world.people["member_a"],
            provider="default",
            subject="chair.a@example.org",
        )
    with pytest.raises(NotAllowed):
        link_identity(
            world.session,
            world.viewer("chair_a"),
            person_id=world.people["member_a"],
            provider="default",
            subject="member.a@example.org",
        )
    world.session.rollback()
    assert world.session.exec(select(func.count()).select_from(Account)).one() == 1


def test_a_revoked_role_stops_at_once_and_stays_on_record(world: World) -> None:
    admin = world.viewer("admin")
    (grant,) = [g for g in active_grants(world.session, admin) if g.person == "chair_a"]
    assert (grant.role, grant.position) == ("committee_member", "chair")
    with pytest.raises(NotAllowed):
        revoke_role(world.session, world.viewer("chair_a"), grant_id=grant.id)
    revoke_role(world.session, admin, grant_id=grant.id)
    assert world.viewer("chair_a").grants == ()
    assert world.session.get(RoleGrant, grant.id).revoked_at is not None  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        revoke_role(world.session, admin, grant_id=grant.id)
    (own,) = [g for g in active_grants(world.session, admin) if g.person == "admin"]
    with pytest.raises(NotAllowed) as refused:
        revoke_role(world.session, admin, grant_id=own.id)
    assert refused.value.code == "own_admin_grant"
    world.session.rollback()
    assert world.viewer("admin").has_role(Role.ADMIN)
