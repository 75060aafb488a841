"""Typed settings from the environment, read once per process.

Outside development the app refuses to start with a missing or placeholder secret: the ballot
secret keys every voter hash, so a guessable one would let anyone link ballots to people.
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.engine import REPO_ROOT, database_url

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "dev"})
DEV_BALLOT_SECRET = "linli-development-ballot-secret"


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    ballot_secret: str
    upload_dir: Path
    max_upload_bytes: int

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


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
        database_url=database_url(),
        ballot_secret=secret or DEV_BALLOT_SECRET,
        upload_dir=Path(os.environ.get("LINLI_UPLOAD_DIR", REPO_ROOT / "data" / "uploads")),
        max_upload_bytes=int(os.environ.get("LINLI_MAX_UPLOAD_BYTES", 8 * 1024 * 1024)),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()
