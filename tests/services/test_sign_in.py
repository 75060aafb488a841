"""Staying signed in, rate limits on guessing, and the start-up refusals outside development."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from demo.street import load_demo
from models import FailedAttempt, SignInSession
from models.clock import utc_now
from services import limits
from services.accounts import (
    DEMO_PASSWORD,
    create_first_admin,
    end_sign_in,
    hash_password,
    refuse_default_admin_passwords,
    resume_sign_in,
    sign_in_local,
    store_is_empty,
)
from services.errors import InvalidInput, NotAllowed, SignInFailed, TooManyAttempts
from services.settings import InsecureSettings, refuse_weak_cookie_secret, settings

PASSWORD = "a long passphrase"


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.setenv("LINLI_BALLOT_SECRET", "0123456789abcdef0123456789abcdef")
    settings.cache_clear()
    yield
    settings.cache_clear()


def failures(session: Session) -> int:
    return session.exec(select(func.count()).select_from(FailedAttempt)).one()


def test_a_sign_in_token_resumes_until_it_ends_or_expires(session: Session) -> None:
    first = create_first_admin(session, display_name="Admin", username="root", password=PASSWORD)
    assert resume_sign_in(session, token=first.token).person_id == first.viewer.person_id
    again = sign_in_local(session, username="root", password=PASSWORD)
    assert again.token != first.token
    stored = session.exec(select(SignInSession.token_hash)).all()
    assert len(stored) == 2 and first.token not in stored and again.token not in stored

    end_sign_in(session, token=first.token)
    assert resume_sign_in(session, token=first.token).is_anonymous
    assert resume_sign_in(session, token=again.token).person_id == first.viewer.person_id

    row = session.exec(select(SignInSession).where(SignInSession.ended_at.is_(None))).one()  # type: ignore[union-attr]
    row.expires_at = utc_now() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert resume_sign_in(session, token=again.token).is_anonymous
    assert resume_sign_in(session, token="").is_anonymous
    assert resume_sign_in(session, token="made-up").is_anonymous


def test_five_wrong_passwords_lock_the_name_even_for_the_right_one(session: Session) -> None:
    create_first_admin(session, display_name="Admin", username="root", password=PASSWORD)
    for _ in range(limits.SIGN_IN.per_key):
        with pytest.raises(SignInFailed):
            sign_in_local(session, username="Root", password="wrong passphrase", address="10.0.0.9")
    with pytest.raises(TooManyAttempts) as raised:
        sign_in_local(session, username="root", password=PASSWORD, address="10.0.0.8")
    assert raised.value.params == {"minutes": 15}
    sessions_before = session.exec(select(func.count()).select_from(SignInSession)).one()
    assert sessions_before == 1  # only the first admin's own sign-in
    keys = session.exec(select(FailedAttempt.key_hash)).all()
    assert all("root" not in key and "10.0.0" not in key for key in keys)

    # The window passes: the name is free again, and a success forgives its failures.
    for attempt in session.exec(select(FailedAttempt)):
        attempt.at = utc_now() - limits.WINDOW - timedelta(seconds=1)
        session.add(attempt)
    session.commit()
    assert sign_in_local(session, username="root", password=PASSWORD).viewer.display_name == "Admin"
    assert failures(session) == limits.SIGN_IN.per_key  # the address's rows stay until pruned
    with pytest.raises(SignInFailed):
        sign_in_local(session, username="root", password="wrong again!", address="10.0.0.9")
    assert failures(session) == 2  # the expired ones were pruned, the new name+address added


def test_an_address_that_guesses_many_names_is_locked(session: Session) -> None:
    create_first_admin(session, display_name="Admin", username="root", password=PASSWORD)
    for index in range(limits.SIGN_IN.per_address):
        with pytest.raises(SignInFailed):
            sign_in_local(session, username=f"guess{index}", password=PASSWORD, address="10.9.9.9")
    with pytest.raises(TooManyAttempts):
        sign_in_local(session, username="root", password=PASSWORD, address="10.9.9.9")
    assert sign_in_local(session, username="root", password=PASSWORD, address="10.1.1.1").viewer


def test_default_passwords_are_refused_and_the_demo_stays_in_development(
    session: Session, production: None
) -> None:
    with pytest.raises(InvalidInput) as raised:
        hash_password(DEMO_PASSWORD)
    assert raised.value.code == "password_is_default"
    with pytest.raises(InvalidInput):
        create_first_admin(session, display_name="A", username="root", password=DEMO_PASSWORD)
    with pytest.raises(NotAllowed) as refused:
        load_demo(session)
    assert refused.value.code == "demo_needs_development" and store_is_empty(session)


def test_start_up_refuses_an_admin_with_the_demo_password(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_first_admin(
        session,
        display_name="Admin",
        username="admin",
        password=DEMO_PASSWORD,
        allow_default_password=True,
    )
    refuse_default_admin_passwords(session)  # development: allowed, the demo runs there
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.setenv("LINLI_BALLOT_SECRET", "0123456789abcdef0123456789abcdef")
    settings.cache_clear()
    try:
        with pytest.raises(InsecureSettings, match="default password"):
            refuse_default_admin_passwords(session)
    finally:
        settings.cache_clear()


def test_start_up_accepts_admins_with_their_own_passwords(
    session: Session, production: None
) -> None:
    create_first_admin(session, display_name="Admin", username="root", password=PASSWORD)
    refuse_default_admin_passwords(session)


@pytest.mark.parametrize(
    "secret",
    ["REPLACE-WITH-A-RANDOM-SECRET", "changeme", "short-but-random-x9", ""],
)
def test_a_placeholder_cookie_secret_is_refused_outside_development(
    production: None, secret: str
) -> None:
    with pytest.raises(InsecureSettings, match="cookie_secret"):
        refuse_weak_cookie_secret({"cookie_secret": secret, "client_id": "linli"})


def test_a_random_cookie_secret_or_no_provider_is_accepted(production: None) -> None:
    refuse_weak_cookie_secret({"cookie_secret": "Vq3kz9W1xPz0r8FhYq2L7m4TnB6cJ5sD"})
    refuse_weak_cookie_secret(None)


def test_development_accepts_the_example_secrets() -> None:
    refuse_weak_cookie_secret({"cookie_secret": "REPLACE-WITH-A-RANDOM-SECRET"})
