"""Every failure a user can cause, as one exception tree. Pages catch ``LinliError`` and show
``error.<code>`` from the translation catalogue, filled with ``params``::

    LinliError
    ├── NotAllowed          the viewer's roles do not cover this action at this place
    ├── NotFound            the thing asked for does not exist (or is not visible)
    ├── InvalidInput        a field is missing, malformed, out of range, too long, or holds
    │   │                   characters that cannot be stored or shown safely
    │   └── BallotRejected  a ballot breaks the round's ballot rules
    ├── Conflict            a duplicate: a second ballot, an existing account, a name taken
    ├── WrongPhase          the round or meeting is not in a phase that allows this
    ├── Overspend           more money out than the fund or the allocation holds
    │   └── PointsShort     more points spent than the resident's balance holds
    ├── CharterViolation    the fund's charter forbids it (category, cap, co-funding)
    ├── SignInFailed        unknown account or wrong password (one message for both)
    └── TooManyAttempts     too many failures from one name or address: wait a while
"""

from typing import Any


class LinliError(Exception):
    """``code`` names the message in the catalogue; ``params`` fill its placeholders."""

    code = "unexpected"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class NotAllowed(LinliError):
    code = "not_allowed"


class NotFound(LinliError):
    code = "not_found"


class InvalidInput(LinliError):
    code = "invalid_input"


class BallotRejected(InvalidInput):
    code = "ballot_rejected"


class Conflict(LinliError):
    code = "conflict"


class WrongPhase(LinliError):
    code = "wrong_phase"


class Overspend(LinliError):
    code = "overspend"


class PointsShort(Overspend):
    """``balance`` and ``cost`` in points."""

    code = "points_short"


class CharterViolation(LinliError):
    code = "charter_violation"


class SignInFailed(LinliError):
    code = "sign_in_failed"


class TooManyAttempts(LinliError):
    """Too many failed sign-ins or voting codes from one name or address; ``minutes`` to wait."""

    code = "too_many_attempts"
