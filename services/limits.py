"""Rate limits on guessing: passwords, household voting codes and ballot receipt codes.

Failures are counted over a sliding window per key (the login name, or the signed-in person)
and per network address. Keys are stored as keyed hashes, never in clear, and only failures are
recorded: a row here can never be matched with the time a ballot was cast.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from models import FailedAttempt
from models.clock import utc_now
from models.engine import serialize
from services.errors import TooManyAttempts
from services.settings import settings

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    kind: str
    per_key: int
    per_address: int


SIGN_IN = Limit("sign_in", per_key=5, per_address=20)
VOTING_CODE = Limit("voting_code", per_key=5, per_address=10)
RECEIPT_CODE = Limit("receipt_code", per_key=5, per_address=10)  # to change a ballot


def _hashed(limit: Limit, scope: str, value: str) -> str:
    secret = settings().ballot_secret.encode()
    # surrogatepass: any string hashes, so a malformed name is counted, never a crash
    message = f"{limit.kind}|{scope}|{value.strip().lower()}".encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _keys(limit: Limit, key: str | None, address: str | None) -> list[tuple[str, int]]:
    keys = []
    if key:
        keys.append((_hashed(limit, "key", key), limit.per_key))
    if address:
        keys.append((_hashed(limit, "address", address), limit.per_address))
    return keys


def check_attempts(session: Session, limit: Limit, *, key: str | None, address: str | None) -> None:
    """Refuses before the password or code is even looked at, so a locked name learns nothing.

    Holds a lock on the name and the address until the caller's transaction ends, so that
    attempts sent at the same moment are counted one after another: the eleventh of thirty
    wrong codes sees the ten failures before it."""
    keys = _keys(limit, key, address)
    if not keys:
        return
    serialize(session, *(f"limit:{key_hash}" for key_hash, _ in keys))
    failures = dict(
        session.exec(
            select(FailedAttempt.key_hash, func.count())
            .where(
                FailedAttempt.kind == limit.kind,
                col(FailedAttempt.key_hash).in_([key_hash for key_hash, _ in keys]),
                col(FailedAttempt.at) > utc_now() - WINDOW,
            )
            .group_by(col(FailedAttempt.key_hash))
        ).all()
    )
    if any(failures.get(key_hash, 0) >= allowed for key_hash, allowed in keys):
        raise TooManyAttempts(minutes=int(WINDOW.total_seconds() // 60))


def record_failure(session: Session, limit: Limit, *, key: str | None, address: str | None) -> None:
    """Committed at once: the refusal that follows rolls back everything else, not this."""
    session.exec(delete(FailedAttempt).where(col(FailedAttempt.at) < utc_now() - WINDOW))
    for key_hash, _ in _keys(limit, key, address):
        session.add(FailedAttempt(kind=limit.kind, key_hash=key_hash))
    session.commit()


def clear_failures(session: Session, limit: Limit, *, key: str) -> None:
    """A success forgives the name's earlier slips (not the address's: others share it)."""
    session.exec(
        delete(FailedAttempt).where(
            col(FailedAttempt.kind) == limit.kind,
            col(FailedAttempt.key_hash) == _hashed(limit, "key", key),
        )
    )
