"""Typed settings from the environment, read once per process.

Outside development the app refuses to start with a missing or placeholder secret: the ballot
secret keys every voter hash, so a guessable one would let anyone link ballots to people, and the
OIDC ``cookie_secret`` signs every identity cookie, so a guessable one would let anyone sign in
as anyone.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "dev"})
DEV_BALLOT_SECRET = "linli-development-ballot-secret"


@dataclass(frozen=True)
class Settings:
    environment: str
    ballot_secret: str


class InsecureSettings(RuntimeError):
    """Raised at start-up, never to a user: the operator must fix the configuration."""


def load_settings() -> Settings:
    environment = os.environ.get("LINLI_ENV", "development").strip().lower()
    secret = os.environ.get("LINLI_BALLOT_SECRET", "").strip()
    weak = secret.lower() in PLACEHOLDERS or secret == DEV_BALLOT_SECRET or len(secret) < 16
    if environment != "development" and weak:
        raise InsecureSettings(
            "LINLI_BALLOT_SECRET must be a random value of at least 16 characters "
            "outside development (python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return Settings(
        environment=environment,
        ballot_secret=secret or DEV_BALLOT_SECRET,
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def refuse_weak_cookie_secret(auth: Mapping[str, Any] | None) -> None:
    """``auth`` is the ``[auth]`` section of secrets.toml (None when there is none)."""
    if not auth or settings().environment == "development":
        return
    secret = str(auth.get("cookie_secret", "")).strip()
    if secret.lower() in PLACEHOLDERS or "replace" in secret.lower() or len(secret) < 32:
        raise InsecureSettings(
            "[auth] cookie_secret in secrets.toml must be a random value of at least 32 "
            "characters outside development (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')"
        )
