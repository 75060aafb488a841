"""Orders for social organisations (群众点单—社区下单—社会组织接单): a need the community adopts
becomes an order that a registered social organisation takes, delivers and reports on."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.clock import utc_now


class SocialOrganisation(SQLModel, table=True):
    """A registered social organisation (社会组织) that may take the orders of the places under
    its own place."""

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    name: str = Field(max_length=120, unique=True)
    registration_no: str = Field(max_length=40, unique=True)  # 统一社会信用代码 or the like
    contact: str = Field(max_length=120)
    registered_by_id: int | None = Field(default=None, foreign_key="person.id")
    registered_at: datetime = Field(default_factory=utc_now)


class ServiceOrder(SQLModel, table=True):
    """A need, ordered by the community from a social organisation. Its status moves only as
    ``services.workflow.ORDER_MOVES`` allows; each step keeps who made it and when."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True)  # the need's place
    status: str = Field(default="open", max_length=12)
    placed_by_id: int | None = Field(default=None, foreign_key="person.id")
    placed_at: datetime = Field(default_factory=utc_now)
    organisation_id: int | None = Field(default=None, foreign_key="socialorganisation.id")
    taken_by_id: int | None = Field(default=None, foreign_key="person.id")
    taken_at: datetime | None = None
    delivered_at: datetime | None = None
    beneficiaries_served: int | None = Field(default=None, ge=1)
    report: str = Field(default="", max_length=2000)
    reported_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = Field(default="", max_length=500)
