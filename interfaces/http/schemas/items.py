"""The shapes of the item catalogue (事项清单, §16) at the HTTP edge: public, no person in it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.items import ItemSummary
from domain.case import SEVERAL_TRIPS
from domain.item import Frequency, MaterialForm
from domain.labels import described
from interfaces.http.schemas.answers import ReadOff, labelled
from interfaces.http.schemas.cases import DIRECTORY_ID
from interfaces.http.schemas.lists import PeriodPublic, Position
from interfaces.http.schemas.office_time import OfficeTime
from interfaces.http.schemas.text import QueryText


class ItemListQuery(BaseModel):
    """Filters of the catalogue; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    zone: QueryText | None = Field(default=None, min_length=1, max_length=100)
    at_most_one_trip: bool | None = Field(default=None, description="最多跑一次")
    q: QueryText | None = Field(
        default=None, min_length=1, max_length=100, description="text in the code or name"
    )
    after: Position = None


class MaterialPublic(BaseModel):
    """A material to bring (申请材料)."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    form: MaterialForm = Field(description=f"原件或复印件: {described('material_form')}")
    count: int
    notes: str

    form_label = labelled("material_form", "form")


class ItemPublic(BaseModel):
    """A service item (事项) and its one-time notice (一次性告知): what to bring, where, and
    the time limit promised in working days."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    department: str
    department_name: str
    windows: list[str]
    window_names: list[str]
    zone: str
    frequency: Frequency = Field(description=f"办件频度: {described('item_frequency')}")
    at_most_one_trip: bool = Field(description="最多跑一次")
    promised_working_days: int = Field(description="承诺时限（工作日），0 为即办")
    materials: list[MaterialPublic]
    legal_basis: str = Field(description="设定依据")
    sample: bool = Field(description="示例数据: invented for the sample catalogue")
    withdrawn: bool = Field(description="已取消: withdrawn from the catalogue, kept on record")
    version: int
    revised_at: OfficeTime

    frequency_label = labelled("item_frequency", "frequency")

    @classmethod
    def of(cls, item: ItemSummary) -> ItemPublic:
        return cls.model_validate(item)


class ItemListPublic(ReadOff):
    """The items in service a filter keeps, by code."""

    items: list[ItemPublic]
    position: int = Field(description="the event position the read side has reached")
    caught_up: bool = Field(description="false when `after` was not reached in time")


class ItemMetricsPublic(ReadOff):
    """One item over the period: cases by category, ratings and bad ratings (差评), and the
    complaints that an item promised in one trip took several (多次跑动)."""

    code: str
    name: str
    department: str
    at_most_one_trip: bool
    withdrawn: bool
    cases: int
    cases_by_category: dict[str, int] = Field(
        description="cases registered in the period naming the item, by category (分类; "
        "未分类 for none)"
    )
    ratings: int
    bad_ratings: int = Field(description="ratings of 1 or 2 (差评)")
    several_trips: int = Field(
        description=f"cases of the category {SEVERAL_TRIPS} on an item promised in at most "
        "one trip (0 for other items)"
    )


class ItemMetricsList(PeriodPublic):
    """Every item in service (and any withdrawn one with cases or ratings) over the period."""

    items: list[ItemMetricsPublic]
