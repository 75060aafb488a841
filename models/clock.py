"""One clock: every stored time is timezone-aware UTC."""

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    """The one timestamp factory, so that no naive or local time reaches the store."""
    return datetime.now(UTC)


def today() -> date:
    return utc_now().date()
