"""What an anonymous visitor can reach by typing URLs, on a server nobody has visited yet.

A fresh ``streamlit run`` process starts in the old "pages/ folder" mode until a session has run
app.py (docs/streamlit-recipes.md §1.1): the very first request for ``/admin`` would run
pages/admin.py without the router. These tests make that first request and then try every URL.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import Wire, choose, main_text, nav, nav_link, open_page, wait_for_app

pytestmark = pytest.mark.e2e

NOTICE = "公示栏"
NOT_FOR_YOU = "您无权打开此页面"  # translated, not Streamlit's "Page not found" dialog
# url path -> the page title a visitor must land on (restricted ones say so, and so does "setup"
# on a set-up store)
DEEP_LINKS = {
    "admin": NOTICE,  # a cold server's first session runs before the router (§1.1)
    "review": NOT_FOR_YOU,
    "rounds": NOT_FOR_YOU,
    "tally": "计票结果",
    "live": "平阳社区2026年微基金项目",  # the live screen opens on the round being voted on
    "ledger": "基金与账目",
    "points": "积分",
    "alliances": "组团联建",
    "meetings": "议事会",
    "vote": "投票",
    "proposals": "提案",
    "needs": "居民点单",
    "account": "账户",
    "setup": "邻里已经设置好了",
    "notice": NOTICE,
}
FOLDED = {"live"}  # a wall screen opens with the sidebar folded away
PUBLIC_NAV = [
    "公示栏",
    "居民点单",
    "提案",
    "议事会",
    "投票",
    "计票结果",
    "实时大屏",
    "基金与账目",
    "积分",
    "组团联建",
    "账户",
]
HIDDEN_NAV = ["管理", "年底评审", "轮次与基金", "开始使用"]
# text that must never reach an anonymous browser, neither drawn nor sent
RESTRICTED = {
    "平阳一村居民（匿名）": "the anonymous donor's name (in the books only)",
    "完整账目：此处显示匿名捐赠人姓名": "the full books' note",
    "人员与角色": "admin: the people and roles tab",
    "登录方式": "admin: the sign-in names column",
    "local:admin": "admin: a sign-in name",
    "local:treasurer": "admin: a sign-in name",
    "审计日志": "admin: the audit log tab",
    "操作人编号": "admin: the audit log's actor column",
    "添加本地账号用户": "admin: the new person form",
    "街镇评审逐一审议获资助项目": "the year-end review page",
    "位评审": "the room's count of reviewers who scored",
    "您的评分": "a reviewer's score form",
    "提交评审": "a reviewer's score form",
    "正式使用：创建第一位管理员": "the setup page on a store that is set up",
    "$argon2": "a password hash",
}
UNTRANSLATED = re.compile(
    r"\b(?:app|nav|notice|vote|tally|ledger|admin|account|needs|proposals|setup|meetings|review"
    r"|live|field|status|error|role|phase|points|points_reason|alliances)\.[a-z_]+\b"
)


def _assert_nothing_restricted(page, wire: Wire, where: str) -> None:
    text = main_text(page)
    drawn = [f"{s!r} ({why})" for s, why in RESTRICTED.items() if s in text]
    sent = [f"{s!r} ({why})" for s, why in RESTRICTED.items() if wire.carries(s)]
    assert not drawn, f"{where}: drawn for an anonymous visitor: {drawn}"
    assert not sent, f"{where}: sent to an anonymous browser: {sent}"
    for title in HIDDEN_NAV:
        expect(nav_link(page, title), f"{where}: nav shows {title}").to_have_count(0)
    assert not UNTRANSLATED.findall(text), f"{where}: untranslated keys"


def test_cold_server_anonymous_deep_links(cold_server, page) -> None:
    wire = Wire().attach(page)
    for path, title in DEEP_LINKS.items():  # "admin" first: the server's very first session
        wire.clear()
        if path in FOLDED:
            page.goto(f"{cold_server.url}/{path}")
            wait_for_app(page)
            page.get_by_test_id("stExpandSidebarButton").click()
            expect(nav(page)).to_be_visible()
        else:
            open_page(page, f"{cold_server.url}/{path}")
        expect(page.get_by_role("heading", level=1), f"/{path}").to_have_text(title)
        _assert_nothing_restricted(page, wire, f"/{path}")
        assert wire.size > 0, "no websocket traffic recorded: the wire check would be vacuous"
        expect(nav(page)).to_contain_text("公示栏")
        for public in PUBLIC_NAV:
            expect(nav_link(page, public)).to_have_count(1)

    # The notice board shows the public things.
    wire.clear()
    open_page(page, cold_server.url)
    main = page.get_by_test_id("stMain")
    funds = main.get_by_role("listitem").filter(has_text="平阳社区微基金").filter(has_text="可用")
    expect(funds.first).to_be_visible()
    expect(main).to_contain_text("平阳社区2025年微基金项目")
    expect(main).to_contain_text("楼道声控灯改造")
    expect(main).to_contain_text("投票进行中：平阳社区2026年微基金项目")
    _assert_nothing_restricted(page, wire, "/ (notice board)")

    # The public ledger of the fund that took the anonymous gift: anonymised, on the wire too.
    open_page(page, f"{cold_server.url}/ledger")
    wire.clear()
    choose(page, "基金", "平阳社区微基金")
    assert wire.carries("（匿名捐赠）"), "the anonymous gift's row was not sent at all"
    assert wire.carries("平阳一村停车管理"), "the public ledger lines were not sent"
    _assert_nothing_restricted(page, wire, "/ledger (平阳社区微基金)")
    expect(page.get_by_role("tab", name="记账")).to_have_count(0)
