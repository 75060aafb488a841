"""People, sign-in and role grants.

Local passwords are hashed with Argon2id (argon2-cffi). A failed sign-in says the same thing for
an unknown name and a wrong password, so the form cannot be used to find out who has an account,
and repeated failures lock the name and the address for a while (``services.limits``).
A local sign-in survives a reload through a random token the browser keeps; the store keeps only
its hash and ends it on sign-out.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from models import Account, Alliance, AllianceMember, Person, Place, RoleGrant, SignInSession
from models.clock import utc_now
from models.vocabulary import CommitteePosition, Role
from services import limits
from services.common import (
    bounded_int,
    choice,
    clean_secret,
    clean_text,
    get_or_fail,
    id_of,
    lock_for_change,
    place_tree,
    record_audit,
    require_at,
    snapshot,
)
from services.errors import Conflict, InvalidInput, NotAllowed, SignInFailed
from services.permissions import ANONYMOUS, Action, Grant, Viewer, require
from services.settings import InsecureSettings, settings

LOCAL_PROVIDER = "local"
MIN_PASSWORD_LENGTH = 10
DEMO_PASSWORD = "linli-demo-2026"
DEFAULT_PASSWORDS = frozenset({DEMO_PASSWORD})
SIGN_IN_LIFETIME = timedelta(days=14)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")  # what secrets.token_urlsafe makes
_hasher = PasswordHasher()


@dataclass(frozen=True)
class SignIn:
    """Who signed in, and the token their browser keeps to stay signed in across reloads."""

    viewer: Viewer
    token: str


def _alliance_communities(session: Session, alliance_ids: set[int]) -> dict[int, list[int]]:
    """The member communities of each alliance, in one query for any number of alliances."""
    members: dict[int, list[int]] = {alliance_id: [] for alliance_id in alliance_ids}
    if alliance_ids:
        for alliance_id, community_id in session.exec(
            select(AllianceMember.alliance_id, AllianceMember.community_id).where(
                col(AllianceMember.alliance_id).in_(alliance_ids)
            )
        ):
            members[alliance_id].append(community_id)
    return members


def viewer_for_person(session: Session, person_id: int) -> Viewer:
    """Grants are read afresh on every request, so a revoked role stops working at once."""
    person = session.get(Person, person_id)
    if person is None or not person.is_active:
        return ANONYMOUS
    rows = session.exec(
        select(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all()
    alliances = _alliance_communities(
        session, {row.alliance_id for row in rows if row.alliance_id is not None}
    )
    grants = []
    for grant in rows:
        place_ids: frozenset[int] | None
        if grant.alliance_id is not None:
            place_ids = frozenset(alliances[grant.alliance_id])
        elif grant.place_id is not None:
            place_ids = frozenset({grant.place_id})
        else:
            place_ids = None
        position = CommitteePosition(grant.position) if grant.position else None
        grants.append(Grant(Role(grant.role), position, place_ids))
    return Viewer(person_id=person.id, display_name=person.display_name, grants=tuple(grants))


def _identity(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    """A user name or a provider's subject, compared in lower case; lowering can lengthen a
    text ("İ" becomes two characters), so the limit is checked again afterwards."""
    lowered = clean_text(value, field, max_length=max_length, required=required).lower()
    if len(lowered) > max_length:
        raise InvalidInput("field_too_long", field=field, max=max_length)
    return lowered


def hash_password(password: str, *, allow_default: bool = False) -> str:
    """``allow_default`` is for the demo alone, which refuses to load outside development."""
    password = clean_secret(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password_too_short", min=MIN_PASSWORD_LENGTH)
    if password in DEFAULT_PASSWORDS and not allow_default:
        raise InvalidInput("password_is_default")
    return _hasher.hash(password)


def _account(session: Session, provider: str, subject: str) -> Account | None:
    """The account for a login name or a provider's identity (unique together)."""
    query = select(Account).where(Account.provider == provider, Account.subject == subject)
    return session.exec(query).first()


def _verifies(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        _hasher.hash(password)  # same work either way: timing does not reveal unknown names
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"linli-sign-in|{token}".encode()).hexdigest()


def _start_sign_in(session: Session, person_id: int) -> SignIn:
    token = secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            person_id=person_id,
            token_hash=_token_hash(token),
            expires_at=utc_now() + SIGN_IN_LIFETIME,
        )
    )
    session.commit()
    return SignIn(viewer_for_person(session, person_id), token)


def sign_in_local(
    session: Session, *, username: str, password: str, address: str | None = None
) -> SignIn:
    name = _identity(username, "username", 60)
    password = clean_secret(password)
    limits.check_attempts(session, limits.SIGN_IN, key=name, address=address)
    account = _account(session, LOCAL_PROVIDER, name)
    if not _verifies(account.password_hash if account else None, password):
        limits.record_failure(session, limits.SIGN_IN, key=name, address=address)
        raise SignInFailed()
    assert account is not None
    limits.clear_failures(session, limits.SIGN_IN, key=name)
    account.last_sign_in_at = utc_now()
    session.add(account)
    return _start_sign_in(session, account.person_id)


def change_password(
    session: Session, viewer: Viewer, *, current: str, new: str, address: str | None = None
) -> None:
    """Asks for the current password, so an unattended signed-in screen cannot be taken over;
    wrong ones count against the name like failed sign-ins."""
    account = session.exec(
        select(Account).where(
            Account.provider == LOCAL_PROVIDER, Account.person_id == viewer.person_id
        )
    ).first()
    if account is None:
        raise NotAllowed("no_local_account")
    current = clean_secret(current)
    limits.check_attempts(session, limits.SIGN_IN, key=account.subject, address=address)
    if not _verifies(account.password_hash, current):
        limits.record_failure(session, limits.SIGN_IN, key=account.subject, address=address)
        raise SignInFailed("password_wrong")
    account.password_hash = hash_password(new)
    session.add(account)
    record_audit(session, viewer, "change_password", account, after={"account_id": account.id})
    session.commit()


def has_local_account(session: Session, *, person_id: int) -> bool:
    return (
        session.exec(
            select(Account.id).where(
                Account.provider == LOCAL_PROVIDER, Account.person_id == person_id
            )
        ).first()
        is not None
    )


def resume_sign_in(session: Session, *, token: str) -> Viewer:
    """The viewer a browser's token stands for; anonymous once it has ended or expired."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return ANONYMOUS  # no token looks like that
    person_id = session.exec(
        select(SignInSession.person_id).where(
            SignInSession.token_hash == _token_hash(token),
            col(SignInSession.ended_at).is_(None),
            col(SignInSession.expires_at) > utc_now(),
        )
    ).first()
    return ANONYMOUS if person_id is None else viewer_for_person(session, person_id)


def end_sign_in(session: Session, *, token: str) -> None:
    """Sign-out ends the token in the store, so a copied cookie stops working too."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return
    for row in session.exec(
        select(SignInSession).where(SignInSession.token_hash == _token_hash(token))
    ):
        row.ended_at = utc_now()
        session.add(row)
    session.commit()


def refuse_default_admin_passwords(session: Session) -> None:
    """At start-up outside development: an admin who still has a published default password
    (the demo's) would hand the whole store to anyone who has read the README."""
    if settings().environment == "development":
        return
    hashes = session.exec(
        select(Account.password_hash)
        .join(RoleGrant, col(RoleGrant.person_id) == Account.person_id)
        .where(
            Account.provider == LOCAL_PROVIDER,
            RoleGrant.role == Role.ADMIN.value,
            col(RoleGrant.revoked_at).is_(None),
        )
    ).all()
    for password_hash in hashes:
        if any(_verifies(password_hash, default) for default in DEFAULT_PASSWORDS):
            raise InsecureSettings(
                "an administrator still has the demo's default password: change it, or start "
                "with LINLI_ENV=development"
            )


def sign_in_with_provider(
    session: Session, *, provider: str, subject: str, display_name: str
) -> Viewer:
    """An identity the provider vouches for; unknown ones become people without roles. A name
    the provider sends that Linli would refuse (too long, or with control characters) is not
    the person's fault: they are named by their subject instead, and can be renamed."""
    provider = clean_text(provider, "provider", max_length=40)
    subject = _identity(subject, "subject", 200, required=False)
    if not subject:
        raise SignInFailed()
    account = _account(session, provider, subject)
    if account is None:
        try:
            name = clean_text(display_name or subject, "name", max_length=80)
        except InvalidInput:
            name = subject[:80]
        person = Person(display_name=name)
        session.add(person)
        session.flush()
        account = Account(person_id=person.id, provider=provider, subject=subject)  # type: ignore[arg-type]
        session.add(account)
        record_audit(session, Viewer(person.id), "register_person", person)
    account.last_sign_in_at = utc_now()
    session.add(account)
    session.commit()
    return viewer_for_person(session, account.person_id)


def store_is_empty(session: Session) -> bool:
    """Asked on every run of the app: looks for one person rather than counting them all."""
    return session.exec(select(Person.id).limit(1)).first() is None


def create_person(
    session: Session,
    *,
    display_name: str,
    username: str | None = None,
    password: str | None = None,
    provider_subject: tuple[str, str] | None = None,
    home_place_id: int | None = None,
    allow_default_password: bool = False,
) -> Person:
    """Building block for the first admin, admins adding people, and the demo. Everything is
    checked before anything is written, so a refusal leaves the session clean."""
    name = clean_text(display_name, "name", max_length=80)
    sign_ins: list[tuple[str, str, str | None]] = []  # provider, subject, password hash
    if username is not None:
        subject = _identity(username, "username", 60)
        if _account(session, LOCAL_PROVIDER, subject) is not None:
            raise Conflict("username_taken", username=subject)
        hashed = hash_password(password or "", allow_default=allow_default_password)
        sign_ins.append((LOCAL_PROVIDER, subject, hashed))
    if provider_subject is not None:
        provider = clean_text(provider_subject[0], "provider", max_length=40)
        subject = _identity(provider_subject[1], "subject", 200)
        sign_ins.append((provider, subject, None))
    person = Person(display_name=name, home_place_id=home_place_id)
    session.add(person)
    session.flush()
    person_id = id_of(person)
    for provider, subject, password_hash in sign_ins:
        session.add(
            Account(
                person_id=person_id,
                provider=provider,
                subject=subject,
                password_hash=password_hash,
            )
        )
    return person


def create_first_admin(
    session: Session,
    *,
    display_name: str,
    username: str,
    password: str,
    allow_default_password: bool = False,
) -> SignIn:
    """Only on an empty store: afterwards, admins are made by admins."""
    if not store_is_empty(session):
        raise NotAllowed("store_not_empty")
    person = create_person(
        session,
        display_name=display_name,
        username=username,
        password=password,
        allow_default_password=allow_default_password,
    )
    grant = RoleGrant(person_id=person.id, role=Role.ADMIN.value)  # type: ignore[arg-type]
    session.add(grant)
    record_audit(session, Viewer(person.id), "create_first_admin", person)
    return _start_sign_in(session, id_of(person))


def add_person(
    session: Session,
    viewer: Viewer,
    *,
    display_name: str,
    username: str,
    password: str,
    home_place_id: int | None,
) -> int:
    require_at(session, viewer, Action.GRANT_ROLES, home_place_id)
    if home_place_id is not None:
        get_or_fail(session, Place, home_place_id)
    person = create_person(
        session,
        display_name=display_name,
        username=username,
        password=password,
        home_place_id=home_place_id,
    )
    record_audit(session, viewer, "add_person", person)
    session.commit()
    return person.id  # type: ignore[return-value]


def _require_reach(
    session: Session, viewer: Viewer, place_id: int | None, alliance_id: int | None
) -> None:
    """Granting or revoking a role needs GRANT_ROLES where the grant reaches: its place, or every
    member community of its alliance (else an admin of one community could make someone chair
    of another through an alliance)."""
    reached: list[int | None] = [place_id]
    if alliance_id is not None:
        members = _alliance_communities(session, {alliance_id})[alliance_id]
        reached = [*members] or [None]  # an alliance without members: admins everywhere only
    tree = place_tree(session)
    for target in reached:
        require(viewer, Action.GRANT_ROLES, target, tree)


def grant_role(
    session: Session,
    viewer: Viewer,
    *,
    person_id: int,
    role: str,
    place_id: int | None,
    position: str | None = None,
    alliance_id: int | None = None,
) -> int:
    role = choice(role, Role, "role")
    if role == Role.COMMITTEE_MEMBER:
        position = choice(position or CommitteePosition.MEMBER, CommitteePosition, "position")
    elif position:
        raise InvalidInput("field_invalid", field="position")
    if place_id is not None and alliance_id is not None:
        raise InvalidInput("grant_place_or_alliance")
    get_or_fail(session, Person, person_id)
    if place_id is not None:
        get_or_fail(session, Place, place_id)
    if alliance_id is not None:
        get_or_fail(session, Alliance, alliance_id)
    _require_reach(session, viewer, place_id, alliance_id)
    grant = RoleGrant(
        person_id=person_id,
        role=role,
        position=position,
        place_id=place_id,
        alliance_id=alliance_id,
        granted_by_id=viewer.person_id,
    )
    session.add(grant)
    record_audit(session, viewer, "grant_role", grant)
    session.commit()
    return grant.id  # type: ignore[return-value]


def link_identity(
    session: Session, viewer: Viewer, *, person_id: int, provider: str, subject: str
) -> int:
    """Ties an identity a provider vouches for (the e-mail of the district's single sign-on) to
    a person, so that their first sign-in through it lands with their roles."""
    person = get_or_fail(session, Person, person_id)
    require_at(session, viewer, Action.GRANT_ROLES, person.home_place_id)
    provider = clean_text(provider, "provider", max_length=40)
    if provider == LOCAL_PROVIDER:
        raise InvalidInput("field_invalid", field="provider")
    subject = _identity(subject, "subject", 200)
    if _account(session, provider, subject) is not None:
        raise Conflict("identity_taken", subject=subject)
    account = Account(person_id=person_id, provider=provider, subject=subject)
    session.add(account)
    record_audit(session, viewer, "link_identity", account)
    session.commit()
    return id_of(account)


def revoke_role(session: Session, viewer: Viewer, *, grant_id: int) -> None:
    """Grants are kept, marked revoked, so the audit trail still says who held what when. An
    admin cannot revoke their own admin grant: someone must be left who can grant roles."""
    lock_for_change(session)
    grant = get_or_fail(session, RoleGrant, grant_id)
    _require_reach(session, viewer, grant.place_id, grant.alliance_id)
    if grant.revoked_at is not None:
        raise Conflict("grant_already_revoked")
    if grant.person_id == viewer.person_id and grant.role == Role.ADMIN:
        raise NotAllowed("own_admin_grant")
    before = snapshot(grant)
    grant.revoked_at = utc_now()
    session.add(grant)
    record_audit(session, viewer, "revoke_role", grant, before=before)
    session.commit()


@dataclass(frozen=True)
class GrantRow:
    id: int
    person: str
    role: str
    position: str | None
    place: str


def active_grants(session: Session, viewer: Viewer) -> list[GrantRow]:
    require_at(session, viewer, Action.GRANT_ROLES, None)
    places = dict(session.exec(select(Place.id, Place.name)).all())
    alliances = dict(session.exec(select(Alliance.id, Alliance.name)).all())
    query = (
        select(RoleGrant, Person.display_name)
        .join(Person, col(Person.id) == RoleGrant.person_id)
        .where(col(RoleGrant.revoked_at).is_(None))
        .order_by(col(Person.display_name), col(RoleGrant.id))
    )
    return [
        GrantRow(
            id=id_of(grant),
            person=name,
            role=grant.role,
            position=grant.position,
            place=places.get(grant.place_id, "")
            if grant.place_id
            else alliances.get(grant.alliance_id, ""),
        )
        for grant, name in session.exec(query)
    ]


@dataclass(frozen=True)
class PersonRow:
    id: int
    display_name: str
    home_place: str
    roles: tuple[str, ...]
    sign_ins: tuple[str, ...]


PEOPLE_SHOWN = 200  # a city's residents are tens of thousands: the admin searches


def list_people(
    session: Session, viewer: Viewer, *, search: str = "", limit: int = PEOPLE_SHOWN
) -> list[PersonRow]:
    """The first ``limit`` people whose name contains ``search``, with their grants and
    accounts read in bulk: a handful of queries, whatever the number of people."""
    require_at(session, viewer, Action.GRANT_ROLES, None)
    wanted = clean_text(search, "search", max_length=80, required=False)
    query = select(Person.id, Person.display_name, Person.home_place_id).order_by(col(Person.id))
    if wanted:
        query = query.where(col(Person.display_name).contains(wanted, autoescape=True))
    found = session.exec(query.limit(bounded_int(limit, "limit", low=1, high=10_000))).all()
    ids = [person_id for person_id, _, _ in found]
    places = dict(session.exec(select(Place.id, Place.name)).all())
    alliances = dict(session.exec(select(Alliance.id, Alliance.name)).all())
    roles: dict[int, list[str]] = {}
    for grant in session.exec(
        select(RoleGrant)
        .where(col(RoleGrant.revoked_at).is_(None), col(RoleGrant.person_id).in_(ids))
        .order_by(col(RoleGrant.id))
    ):
        if grant.place_id:
            place = places.get(grant.place_id, "")
        else:  # a grant for an alliance is named by it, else it would read as everywhere
            place = alliances.get(grant.alliance_id, "") if grant.alliance_id else ""
        role = ":".join(filter(None, [grant.role, grant.position, place]))
        roles.setdefault(grant.person_id, []).append(role)
    sign_ins: dict[int, list[str]] = {}
    for account in session.exec(
        select(Account).where(col(Account.person_id).in_(ids)).order_by(col(Account.id))
    ):
        sign_ins.setdefault(account.person_id, []).append(f"{account.provider}:{account.subject}")
    return [
        PersonRow(
            id=person_id,
            display_name=name,
            home_place=places.get(home, "") if home else "",
            roles=tuple(roles.get(person_id, ())),
            sign_ins=tuple(sign_ins.get(person_id, ())),
        )
        for person_id, name, home in found
        if person_id is not None
    ]
