"""Exceptions raised by the tally engine.

One tree, so callers can catch the base class and show its message::

    VotingError
    ├── PabulibError          a .pb file is malformed (carries the line number)
    ├── BallotError           one ballot breaks the profile's constraints (carries a code)
    └── UnsupportedRuleError  unknown rule, tie-break, or a rule that does not apply
"""

from __future__ import annotations

from typing import Any

__all__ = ["BallotError", "PabulibError", "UnsupportedRuleError", "VotingError"]


class VotingError(Exception):
    """Base class of every error the engine raises on purpose."""


class PabulibError(VotingError):
    """A Pabulib file that cannot be read; `line` is 1-based (None when not tied to a line)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class BallotError(VotingError):
    """A ballot that breaks a constraint; `code` is machine-readable, `params` fill the message."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(message)


class UnsupportedRuleError(VotingError):
    """The rule or tie-break is unknown, or does not apply to this vote type."""
