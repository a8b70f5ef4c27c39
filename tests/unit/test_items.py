"""The item catalogue (事项清单, §16): imported from YAML or XLSX, every wrong row named with
its line and nothing imported then; re-imports revise changed items and withdraw dropped
ones; the sample catalogue covers every department with windows."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from application.projections.item_list import ItemListProjection
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.case import SEVERAL_TRIPS, Case
from domain.evaluation import Evaluation, rating_case_id
from domain.item import (
    Frequency,
    ItemCatalogue,
    ItemSpec,
    Material,
    MaterialForm,
    PromisedDaysInvalid,
    UnknownItem,
    check_item,
)
from infrastructure.directory_file import sample_directory
from infrastructure.item_file import (
    FIELDS,
    ItemFileError,
    parse_item_workbook,
    parse_item_yaml,
    sample_items,
)
from interfaces.bootstrap import sample_campaign
from simulation.time_source import SimulatedTimeSource, campaign_start
from tests.factories import registered_case
from tests.support import CAMPAIGN_END, START, in_memory_supervision
from tests.unit.projection_fold import folded

ADMIN = Actor("admin-items", Role.ADMIN)

ITEM: dict[str, Any] = {
    "code": "BDC-001",
    "name": "房屋买卖转移登记",
    "department": "real-estate-registration",
    "windows": ["W-A01", "W-A02"],
    "zone": "不动产登记专区",
    "frequency": "high",
    "at_most_one_trip": True,
    "promised_working_days": 3,
    "materials": [
        {"name": "居民身份证", "form": "original", "count": 1},
        {"name": "房屋买卖合同", "form": "copy", "count": 2, "notes": "网签合同"},
    ],
    "legal_basis": "《不动产登记暂行条例》第十四条",
}


def catalogue_yaml(*items: dict[str, Any]) -> str:
    return yaml.safe_dump({"items": list(items)}, allow_unicode=True, sort_keys=False)


def an_item(**fields: Any) -> dict[str, Any]:
    return {**ITEM, **fields}


def spec(**fields: Any) -> ItemSpec:
    return parse_item_yaml(catalogue_yaml(an_item(**fields)), "items.yaml")[0]


def problems_of(refusal: pytest.ExceptionInfo[ItemFileError]) -> list[tuple[int | None, str]]:
    return [(problem.line, problem.code) for problem in refusal.value.problems]


# Reading a file ------------------------------------------------------------------------------


def test_a_yaml_catalogue_is_read_into_items_with_their_materials() -> None:
    [item] = parse_item_yaml(catalogue_yaml(ITEM), "items.yaml")

    assert item.code == "BDC-001"
    assert item.windows == ("W-A01", "W-A02")
    assert item.frequency == Frequency.HIGH
    assert item.materials[1] == Material("房屋买卖合同", MaterialForm.COPY, 2, "网签合同")
    assert item.sample is False


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"frequency": "sometimes"}, "item_frequency_invalid"),
        ({"promised_working_days": -1}, "promised_days_invalid"),
        ({"promised_working_days": 10**12}, "promised_days_invalid"),
        ({"promised_working_days": "三天"}, "not_whole_number"),
        ({"name": "房屋\x00登记"}, "item_text_invalid"),
        ({"name": "  "}, "item_text_invalid"),
        ({"name": "长" * 101}, "item_text_invalid"),
        ({"code": "BDC 001"}, "item_code_invalid"),
        ({"at_most_one_trip": "maybe"}, "not_flag"),
        ({"materials": [{"name": "身份证", "form": "scan", "count": 1}]}, "material_invalid"),
        ({"materials": [{"name": "身份证", "form": "copy", "count": 0}]}, "material_invalid"),
        ({"materials": [{"name": "身\x07份证", "form": "copy"}]}, "material_invalid"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_a_wrong_row_is_refused_with_its_line_and_reason(fields: dict[str, Any], code: str) -> None:
    text = catalogue_yaml(ITEM | {"code": "OK-1"}, an_item(**fields))

    with pytest.raises(ItemFileError) as refusal:
        parse_item_yaml(text, "items.yaml")

    [(line, found)] = problems_of(refusal)
    assert found == code
    assert line == [n for n, t in enumerate(text.splitlines(), 1) if t.startswith("- ")][1]
    assert f"line {line}" in str(refusal.value)


def test_every_wrong_row_is_named_not_only_the_first() -> None:
    text = catalogue_yaml(
        an_item(code="A-1", frequency="often"),
        an_item(code="A-2"),
        an_item(code="A-3", promised_working_days=-5),
    )

    with pytest.raises(ItemFileError) as refusal:
        parse_item_yaml(text, "items.yaml")

    assert [code for _, code in problems_of(refusal)] == [
        "item_frequency_invalid",
        "promised_days_invalid",
    ]
    first, second = (line for line, _ in problems_of(refusal))
    assert text.splitlines()[first - 1] == "- code: A-1"
    assert text.splitlines()[second - 1] == "- code: A-3"


def test_a_code_given_twice_in_one_file_is_refused_on_its_second_line() -> None:
    text = catalogue_yaml(an_item(code="X-1"), an_item(code="X-1", name="另一个事项"))

    with pytest.raises(ItemFileError) as refusal:
        parse_item_yaml(text, "items.yaml")

    [(line, code)] = problems_of(refusal)
    assert code == "duplicate_item_code"
    assert line == [n for n, t in enumerate(text.splitlines(), 1) if t == "- code: X-1"][1]


def test_the_directory_check_names_unknown_departments_and_windows_by_line(
    supervision: Supervision,
) -> None:
    text = catalogue_yaml(
        an_item(code="D-1", department="ministry-of-magic"),
        an_item(code="D-2", windows=["W-Z99"]),
        an_item(code="D-3", zone="不存在的专区"),
    )

    with pytest.raises(ItemFileError) as refusal:
        parse_item_yaml(text, "items.yaml", supervision.check_item_in_directory)

    assert [code for _, code in problems_of(refusal)] == [
        "item_department_unknown",
        "item_window_unknown",
        "item_zone_unknown",
    ]


def workbook(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROW = [
    "GA-1",
    "居民身份证换领",
    "public-security",
    "W-E01, W-E02",
    "公安服务专区",
    "high",
    "是",
    20,
    "原居民身份证;original;1\n居民户口簿;original;1;本人户口页",
    "《中华人民共和国居民身份证法》",
]


def test_an_xlsx_catalogue_is_read_one_item_a_row() -> None:
    [item] = parse_item_workbook(workbook(GOOD_ROW), "items.xlsx")

    assert item.windows == ("W-E01", "W-E02")
    assert item.at_most_one_trip is True
    assert item.promised_working_days == 20
    assert item.materials[1] == Material("居民户口簿", MaterialForm.ORIGINAL, 1, "本人户口页")


def test_an_xlsx_with_a_bad_row_names_the_rows_line(supervision: Supervision) -> None:
    bad = [*GOOD_ROW[:2], "no-such-department", *GOOD_ROW[3:]]
    bad[0] = "GA-2"
    worse = [*GOOD_ROW]
    worse[0], worse[5] = "GA-3", "often"

    with pytest.raises(ItemFileError) as refusal:
        parse_item_workbook(
            workbook(GOOD_ROW, bad, worse), "items.xlsx", supervision.check_item_in_directory
        )

    assert problems_of(refusal) == [(3, "item_department_unknown"), (4, "item_frequency_invalid")]
    assert "line 3" in str(refusal.value)


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(ItemFileError) as refusal:
        parse_item_workbook(b"not a zip", "items.xlsx")

    assert problems_of(refusal) == [(None, "not_xlsx")]


# The sample catalogue ------------------------------------------------------------------------


def test_the_sample_catalogue_covers_every_department_with_windows(
    supervision: Supervision,
) -> None:
    items = sample_items(supervision.check_item_in_directory)
    directory = sample_directory()
    with_windows = {window.department for window in directory.windows}

    assert len(items) >= 60
    assert with_windows <= {item.department for item in items}
    assert all(item.sample for item in items)
    assert all(item.materials and item.legal_basis for item in items)


# Versions as events --------------------------------------------------------------------------


def test_an_import_lists_the_items_and_the_same_file_again_records_nothing(
    supervision: Supervision,
) -> None:
    items = sample_items()

    first = supervision.import_items(items, ADMIN)
    again = supervision.import_items(items, ADMIN)

    assert (first.listed, first.revised, first.withdrawn) == (len(items), 0, 0)
    assert again.changes == 0


def test_a_reimport_revises_what_changed_and_withdraws_what_was_dropped(
    supervision: Supervision,
) -> None:
    kept, changed, dropped = spec(code="K-1"), spec(code="C-1"), spec(code="D-1")
    supervision.import_items([kept, changed, dropped], ADMIN)

    result = supervision.import_items([kept, replace(changed, promised_working_days=1)], ADMIN)

    assert (result.listed, result.revised, result.withdrawn) == (0, 1, 1)
    catalogue = supervision.item_catalogue()
    assert catalogue.items["D-1"]["withdrawn"] is True
    assert catalogue.item("D-1") is None
    assert catalogue.item("C-1")["promised_working_days"] == 1  # type: ignore[index]


def test_a_revision_names_the_fields_that_changed() -> None:
    catalogue = ItemCatalogue.start(ADMIN, START)
    catalogue.reconcile([spec()], ADMIN, START)
    catalogue.collect_events()

    catalogue.reconcile([spec(name="新名称", promised_working_days=9)], ADMIN, START)

    [revised] = catalogue.collect_events()
    assert isinstance(revised, ItemCatalogue.ItemRevised)
    assert revised.changed == ["name", "promised_working_days"]


def test_a_withdrawn_item_listed_again_is_back_in_service() -> None:
    catalogue = ItemCatalogue.start(ADMIN, START)
    catalogue.reconcile([spec()], ADMIN, START)
    catalogue.reconcile([], ADMIN, START)

    catalogue.reconcile([spec()], ADMIN, START)

    assert catalogue.item("BDC-001") is not None
    assert isinstance(catalogue.collect_events()[-1], ItemCatalogue.ItemRevised)


def test_an_import_with_any_refused_item_records_nothing(supervision: Supervision) -> None:
    good, bad = spec(code="G-1"), spec(code="B-1", department="ministry-of-magic")

    with pytest.raises(Exception, match="ministry-of-magic"):
        supervision.import_items([good, bad], ADMIN)

    assert supervision.item_catalogue().items == {}


def test_the_domain_refuses_a_huge_promise_even_without_a_file() -> None:
    with pytest.raises(PromisedDaysInvalid):
        check_item(replace(spec(), promised_working_days=366))


def test_an_item_not_in_service_is_an_unknown_item(supervision: Supervision) -> None:
    supervision.import_items([spec()], ADMIN)

    supervision.require_item("BDC-001")
    supervision.require_item(None)
    with pytest.raises(UnknownItem):
        supervision.require_item("NOPE-1")


# The read table ------------------------------------------------------------------------------


def test_the_item_list_keeps_a_withdrawn_item_marked_and_counts_versions() -> None:
    catalogue = ItemCatalogue.start(ADMIN, START)
    catalogue.reconcile([spec()], ADMIN, START)
    catalogue.reconcile([spec(name="新名称")], ADMIN, START)
    catalogue.reconcile([], ADMIN, START)

    row = folded(ItemListProjection(), catalogue.collect_events())

    assert (row["name"], row["version"], row["withdrawn"]) == ("新名称", 2, True)
    first = {"name": "居民身份证", "form": "original", "count": 1, "notes": ""}
    assert row["materials"][0] == first


# Cases, ratings and the demo ------------------------------------------------------------------


def test_a_case_naming_an_item_records_it_with_its_kind_and_category(
    supervision: Supervision,
) -> None:
    supervision.import_items([spec()], ADMIN)

    case_id = registered_case(supervision, item="BDC-001", category=SEVERAL_TRIPS)

    assert supervision.repository.get(case_id).item == "BDC-001"
    events = supervision.repository.event_store.get(case_id)
    [naming] = [e for e in events if isinstance(e, Case.ItemNamed)]
    assert (naming.item, naming.kind, naming.category) == ("BDC-001", "complaint", SEVERAL_TRIPS)


def test_a_case_naming_an_unknown_item_is_refused_and_records_nothing(
    supervision: Supervision,
) -> None:
    before = supervision.recorder.max_notification_id()

    with pytest.raises(UnknownItem):
        registered_case(supervision, item="NOPE-1")

    assert supervision.recorder.max_notification_id() == before


def test_the_case_a_bad_rating_opens_names_the_rated_item(supervision: Supervision) -> None:
    supervision.import_items([spec()], ADMIN)
    rated = supervision.record_evaluation(
        window="W-A01",
        staff=None,
        rating=1,
        comment=None,
        service_item=None,
        by=ADMIN,
        item="BDC-001",
    )

    supervision.open_case_for_evaluation(rated.id)

    assert rated.item == "BDC-001"
    assert supervision.repository.get(rating_case_id(rated.id)).item == "BDC-001"


def test_a_demo_campaign_loads_the_sample_catalogue_and_names_items_on_cases_and_ratings() -> None:
    time_source = SimulatedTimeSource(campaign_start(CAMPAIGN_END, 3))
    supervision = in_memory_supervision(time_source)  # type: ignore[arg-type]
    campaign = sample_campaign(
        supervision,
        time_source,
        until=CAMPAIGN_END,
        scale=0.2,
        items=tuple(sample_items()),
    )

    report = campaign.run()

    assert len(supervision.item_catalogue().items) == len(sample_items())
    assert report.count(Case.ItemNamed.TOPIC) > 0
    assert report.count(Evaluation.ItemNamed.TOPIC) > 0
