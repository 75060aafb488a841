"""The donor's screens on the demo: a resident's own gifts and what they paid for, a visitor's
look-up by receipt number, campaigns and money by source as hand-computed in demo/donors.py,
and the treasurer's donation form giving a receipt number."""

import os

from sqlmodel import Session, select

from models import Fund, LedgerEntry, Person, make_engine
from tests.pages.test_charters import flat, position
from tests.pages.test_screens import open_page, texts


def _fund_id(name: str) -> int:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        fund_id = session.exec(select(Fund.id).where(Fund.name == name)).one()
    engine.dispose()
    return fund_id  # type: ignore[return-value]


def _entry(receipt: str) -> LedgerEntry | None:
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(
            select(LedgerEntry).where(LedgerEntry.receipt_number == receipt)
        ).first()
    engine.dispose()
    return found


def test_a_resident_sees_what_each_gift_paid_for(demo_db: dict[str, int]) -> None:
    at = open_page("donors", demo_db["resident"])
    assert not at.exception and not at.error
    shown = texts(at)
    # newest first: the cushions campaign, the gift for the dining tables, the 2025 general gift
    assert [m.value for m in at.markdown if str(m.value).startswith("### ")] == [
        "### ¥50.00",
        "### ¥200.00",
        "### ¥100.00",
    ]
    assert "捐给众筹“80个坐垫暖老人”" in shown
    assert "定向捐赠：“老年助餐点桌椅更新”" in shown
    assert "基金拨付 ¥22,000.00，目前已支出 ¥7,280.00" in shown
    assert "老年助餐点桌椅更新：首期款" in shown and "发票 31002500005678" in shown
    # the general gift: 100 of the 333,600 yuan that came in, 0.03%, and its share of each
    assert "您的捐赠占基金全部收入 ¥333,600.00 的 0.03%" in shown
    assert "楼道声控灯改造 · 已支出 ¥12,360.00，您的份额 ¥3.70" in shown
    assert not at.dataframe  # cards for a phone


def test_a_visitor_finds_a_gift_by_its_receipt_number(demo_db: dict[str, int]) -> None:
    at = open_page("donors", None)
    assert "我的捐赠" not in [s.value for s in at.subheader]
    at.text_input(key="receipt_number").input("jz-2025-000037")
    at.button(key="find_receipt").click().run()
    assert not at.exception and not at.error
    shown = texts(at)
    assert "### ¥200.00" in shown and "定向捐赠：“老年助餐点桌椅更新”" in shown
    assert "王秀兰" not in shown  # a receipt never shows the donor's name
    at.text_input(key="receipt_number").input("JZ-2025-999999")
    at.button(key="find_receipt").click().run()
    assert [e.value for e in at.error] == ["没有找到这个收据编号的捐赠，请对照纸质收据核对。"]


def test_campaigns_and_money_by_source_as_hand_computed(demo_db: dict[str, int]) -> None:
    at = open_page("campaigns", None)
    at.selectbox(key="campaigns_fund").set_value(_fund_id("平阳社区微基金")).run()
    assert not at.exception and not at.error
    assert [str(m.value) for m in at.metric] == ["73.0%"]
    shown = texts(at)
    for line in (
        "政府（自治金、种子资金） · ¥90,000.00",
        "居民 · ¥23,600.00",
        "共建单位 · ¥50,000.00",
        "慈善组织 · ¥70,000.00",
        "企业 · ¥31,000.00",
        "自我造血收入 · ¥69,000.00",
    ):
        assert line in shown
    bars = {bar.proto.text: bar.proto.value for bar in at.get("progress")}
    assert bars["已筹 ¥2,400.00 / 目标 ¥3,200.00 · 60 笔"] == 75  # percent of the bar
    assert bars["已筹 ¥110,000.00 / 目标 ¥110,000.00 · 5 笔"] == 100
    assert "集装箱便民商铺（6间）" in shown and "累计收入 ¥18,000.00，共 1 笔" in shown
    assert len(at.get("vega_lite_chart")) == 1  # the Altair chart of money by source


def test_the_treasurer_records_a_designated_gift_and_gets_its_receipt_number(
    demo_db: dict[str, int],
) -> None:
    at = open_page("ledger", demo_db["treasurer"])
    at.selectbox(key="ledger_fund").set_value(_fund_id("平阳社区微基金")).run()
    at.selectbox(key="in_donor_kind").set_value("co_building_unit")
    at.text_input(key="in_amount").input("5000")
    at.text_input(key="in_donor").input("中国电信古美营业厅")
    at.selectbox(key="in_person").set_value(demo_db["resident"])  # on their "my gifts" page
    at.text_input(key="in_purpose").input("智能手机课堂")
    at.button(key="FormSubmitter:money_in-登记").click().run()
    assert not at.exception and not at.error
    (saved,) = [s.value for s in at.success]
    number = saved.rsplit("：", 1)[1]
    entry = _entry(number)
    assert entry is not None
    assert (entry.donor_kind, entry.amount_fen, entry.counterparty) == (
        "co_building_unit",
        500_000,
        "中国电信古美营业厅",
    )
    assert entry.counterparty_person_id == demo_db["resident"]
    mine = open_page("donors", demo_db["resident"])
    assert f"收据 {number}" in texts(mine)


def test_the_fund_screen_shows_money_by_source_too(demo_db: dict[str, int]) -> None:
    at = open_page("ledger", None)
    at.selectbox(key="ledger_fund").set_value(_fund_id("平阳社区微基金")).run()
    assert not at.exception and not at.error
    assert [str(m.value) for m in at.metric][-1] == "73.0%"
    assert "资金来源" in [tab.label for tab in at.tabs]
    assert len(at.get("vega_lite_chart")) == 1


def test_a_gift_for_a_project_outside_the_fund_is_refused_under_its_field(
    demo_db: dict[str, int],
) -> None:
    """Guolong's fund may not take a gift for Pingyang's dining tables: the refusal stands
    under the project's field, and nothing is recorded."""
    engine = make_engine(os.environ["LINLI_DATABASE_URL"])
    with Session(engine) as session:  # the district's treasurer, who records for every fund
        treasurer = session.exec(select(Person.id).where(Person.display_name == "黄伟")).one()
    engine.dispose()
    at = open_page("ledger", treasurer)
    at.selectbox(key="ledger_fund").set_value(_fund_id("古龙社区微基金")).run()
    at.selectbox(key="in_project").set_value(2)  # 老年助餐点桌椅更新, in 平阳一村
    at.text_input(key="in_amount").input("300")
    at.text_input(key="in_donor").input("古龙三村居民")
    at.text_input(key="in_purpose").input("捐给助餐点桌椅")
    at.button(key="FormSubmitter:money_in-登记").click().run()
    assert not at.exception
    (refused,) = [e.value for e in at.error]
    assert refused == (
        "古龙社区微基金只资助本辖区内的项目，这个项目不在其范围内：请把这笔捐赠记入项目所在地的基金。"
    )
    drawn = flat(at.main)
    shown_at = next(
        i for i, node in enumerate(drawn) if node.type == "error" and node.value == refused
    )
    assert shown_at == position(drawn, "in_project") + 1  # right under the project's field
    with Session(engine) as session:
        guolong = session.exec(
            select(LedgerEntry).where(LedgerEntry.destination_fund_id == _fund_id("古龙社区微基金"))
        ).all()
    engine.dispose()
    assert [e for e in guolong if e.counterparty == "古龙三村居民"] == []
