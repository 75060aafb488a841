"""Paper ballots keyed twice (double entry): the sheets and the clerks' readings of them.

A paper sheet carries no name, only its number. Until two people have read it alike, each
reading keeps its marks, because the next reading is compared with them; once the sheet is
confirmed its marks become a ballot (``services.ballots``) and every reading's marks are
dropped here. What stays is what an audit needs: the sheet number, who keyed it, when, and
whether each reading agreed with the confirmed one. So this table never becomes a second copy of
the ballots, keyed by sheet number, beside the shuffled box (``services.paper``).
"""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.clock import utc_now


class PaperSheet(SQLModel, table=True):
    """One paper sheet of a round, by its number; its status is a ``PaperSheetStatus``. The
    unique key makes two first readings of one sheet, sent at the same moment, one sheet."""

    __table_args__ = (UniqueConstraint("round_id", "sheet_number"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="budgetround.id", index=True)
    sheet_number: str = Field(max_length=40)
    status: str = Field(default="keyed_once", max_length=16)


class PaperReading(SQLModel, table=True):
    """One person's reading of a sheet, its marks as (proposal id, points, rank) until the sheet
    is confirmed; then ``marks`` is emptied (None) and ``matched`` says whether this reading
    agreed with the confirmed one. One reading per person and sheet, by key."""

    __table_args__ = (UniqueConstraint("sheet_id", "keyed_by_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="papersheet.id", index=True)
    keyed_by_id: int = Field(foreign_key="person.id")
    keyed_at: datetime = Field(default_factory=utc_now)
    marks: list[list[int | None]] | None = Field(default=None, sa_column=Column(JSON))
    matched: bool | None = None
