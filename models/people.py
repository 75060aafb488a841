"""People, the accounts they sign in with, households, and the roles granted to them for a place."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=80)
    home_place_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    preferred_locale: str | None = Field(default=None, max_length=10)
    large_text: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utc_now)


class Household(SQLModel, table=True):
    """A dwelling in a compound (楼-单元-室): the unit voting codes are issued to."""

    __table_args__ = (UniqueConstraint("compound_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    compound_id: int = Field(foreign_key="place.id", index=True)
    label: str = Field(max_length=40)


class Account(SQLModel, table=True):
    """How a person signs in: ``provider`` is "local" or an OIDC provider name; ``subject`` is the
    login name or the provider's e-mail/sub claim. Local passwords are stored only as hashes."""

    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    provider: str = Field(max_length=40)
    subject: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    last_sign_in_at: datetime | None = None


class RoleGrant(SQLModel, table=True):
    """A role held for a place (and everything under it) or an alliance; revoked, never deleted."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=24)
    position: str | None = Field(default=None, max_length=16)
    place_id: int | None = Field(default=None, foreign_key="place.id")
    alliance_id: int | None = Field(default=None, foreign_key="alliance.id")
    granted_by_id: int | None = Field(default=None, foreign_key="person.id")
    granted_at: datetime = Field(default_factory=utc_now)
    revoked_at: datetime | None = None


class SignInSession(SQLModel, table=True):
    """A local sign-in that survives a reload: the browser keeps a random token in a cookie,
    the store only its hash, so a copy of the database cannot be used to sign in."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    ended_at: datetime | None = None


class FailedAttempt(SQLModel, table=True):
    """A refused sign-in, voting code or receipt code, for rate limits. ``key_hash`` is a keyed
    hash of the login name or the address, so the table holds no addresses; successes are never
    recorded, so nothing here dates a ballot."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utc_now, index=True)
