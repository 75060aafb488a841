"""Paper ballots keyed twice, in the browser. The demo's open vote has sheet PY-2026-001 keyed
once by the second clerk and PY-2026-002 read differently by the two clerks: the clerk keys the
first one alike and it becomes a ballot; the chair settles the second by picking a reading."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import nav_link, sign_in, sign_out, wait_for_app

pytestmark = pytest.mark.e2e

# The two projects the second clerk ticked on sheet PY-2026-001 (demo/street.py).
TICKED = ("电动车集中充电棚", "垃圾房通风除臭改造")


def open_paper_entry(page: Page) -> None:
    nav_link(page, "投票").click()
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_text("录入纸质选票", exact=True).click()
    wait_for_app(page)


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label)
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def test_a_sheet_keyed_twice_counts_and_a_third_look_settles_another(fresh_server, page) -> None:
    sign_in(page, fresh_server.url, "clerk")
    open_paper_entry(page)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("等待第二次录入：PY-2026-001")
    assert (metric(page, "已录入一次"), metric(page, "待第三人核对")) == ("1", "1")
    expect(main).to_contain_text("您录入过此选票，须由另一人核定。")
    expect(main.get_by_role("button", name="原票与此一致")).to_have_count(0)

    form = main.get_by_test_id("stForm").filter(has=page.get_by_label("纸质选票编号"))
    form.get_by_label("纸质选票编号").fill("PY-2026-001")
    for title in TICKED:
        form.get_by_test_id("stCheckbox").filter(has_text=title).locator("label").click()
    form.get_by_role("button", name="录入此选票").click()
    wait_for_app(page)
    expect(main).to_contain_text("选票 PY-2026-001 已核定：两次录入一致，已计入票箱。")
    assert (metric(page, "已录入一次"), metric(page, "已核定")) == ("0", "1")

    sign_out(page)
    sign_in(page, fresh_server.url, "chair")
    open_paper_entry(page)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("第三人核对：录入不一致的选票")
    expect(main.get_by_label("纸质选票编号")).to_have_count(0)  # the chair keys no sheet
    picks = main.get_by_role("button", name="原票与此一致")
    expect(picks).to_have_count(2)  # the two readings side by side, one button each
    picks.nth(1).click()
    wait_for_app(page)
    expect(main).to_contain_text("选票 PY-2026-002 已核定")
    expect(main).to_contain_text("没有等待核对的选票。")
    assert (metric(page, "待第三人核对"), metric(page, "已核定")) == ("0", "2")
