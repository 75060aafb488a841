"""Signing in and out in a real browser: through a real OpenID Connect provider started on
127.0.0.1 for the test (oidc-provider-mock), and with a local account. Each lands on the pages
of its role, survives a reload, and signs out for good."""

import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from models import Account, make_engine
from services.accounts import link_identity, viewer_for_person
from tests.e2e import main_text, nav, nav_link, open_page, sign_in, wait_for_app
from tests.e2e.conftest import Server, copy_store, free_port, start_server

pytestmark = pytest.mark.e2e

CHAIR_EMAIL = "li.jianguo@pingyang.example.org"
CHAIR_PAGES = [
    "公示栏",
    "居民点单",
    "提案",
    "议事会",
    "投票",
    "计票结果",
    "实时大屏",
    "基金与账目",
    "积分",
    "我的捐赠",
    "众筹与收入",
    "组团联建",
    "评审指标",
    "来年资助分配",
    "轮次与基金",
    "账户",
]
REVIEWER_PAGES = [*CHAIR_PAGES[:-4], "年底评审", "评审指标", "来年资助分配", "账户"]


def nav_titles(page: Page) -> list[str]:
    """The link titles, without the icon ligature (``campaign``) drawn before each, once the
    sidebar has its links (CI, under load: read while the page was drawn, the list was empty)."""
    links = nav(page).get_by_role("link")
    expect(links.first).to_be_visible()
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]


def expect_nav(page: Page, titles: list[str]) -> None:
    """The sidebar's links are exactly ``titles``, in order (waiting while it is drawn)."""
    ending = [re.compile(rf"(^|\s){re.escape(title)}$") for title in titles]
    expect(nav(page).get_by_role("link")).to_have_text(ending, use_inner_text=True)


@pytest.fixture
def identity_provider(tmp_path: Path) -> Iterator[str]:
    """oidc-provider-mock as its own process on a free loopback port."""
    port = free_port()
    log = (tmp_path / "idp.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "oidc-provider-mock"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("oidc-provider-mock did not start")
    yield issuer
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def sso_server(demo_template: Path, tmp_path: Path, identity_provider: str) -> Iterator[Server]:
    """The demo store, where an admin has linked the chair to her district e-mail, served with
    the provider configured in a secrets.toml of the test's own."""
    store = copy_store(demo_template, tmp_path / "sso")
    engine = make_engine(f"sqlite:///{store}")
    with Session(engine) as session:
        chair = session.exec(select(Account).where(Account.subject == "chair")).one()
        admin = session.exec(select(Account).where(Account.subject == "admin")).one()
        link_identity(
            session,
            viewer_for_person(session, admin.person_id),
            person_id=chair.person_id,
            provider="default",
            subject=CHAIR_EMAIL,
        )
    engine.dispose()
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "linli-test"\n'
        'client_secret = "linli-test-secret"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    running = start_server(
        demo_template,
        tmp_path / "sso",
        port=port,
        store=store,
        extra_args=("--secrets.files", str(secrets_file)),
    )
    yield running
    running.stop()


def sign_in_with_provider(page: Page, base_url: str, subject: str) -> None:
    """The account page's provider button, then the mock provider's form for ``subject``."""
    open_page(page, base_url)
    nav_link(page, "账户").click()
    wait_for_app(page)
    page.get_by_role("button", name="使用街道统一账号登录").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base_url}/**")
    wait_for_app(page)


def test_the_chair_signs_in_through_the_district_provider_and_out_again(
    sso_server: Server, page: Page
) -> None:
    sign_in_with_provider(page, sso_server.url, CHAIR_EMAIL)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("当前用户：李建国")  # the linked person, not a new one
    expect_nav(page, CHAIR_PAGES)
    nav_link(page, "计票结果").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="进入下一阶段")).to_be_visible()  # only a chair may

    page.reload()
    wait_for_app(page)
    expect(sidebar).to_contain_text("当前用户：李建国")

    nav_link(page, "账户").click()
    wait_for_app(page)
    page.get_by_role("button", name="退出登录").click()
    end_session = page.get_by_role("button", name="End session")
    end_session.wait_for()
    end_session.click()
    page.wait_for_url(f"{sso_server.url}/**")
    wait_for_app(page)
    expect(sidebar).to_contain_text("未登录")
    assert "计票结果" in nav_titles(page) and "管理" not in nav_titles(page)
    page.reload()
    wait_for_app(page)
    expect(sidebar).to_contain_text("未登录")


def test_an_unknown_provider_identity_becomes_a_person_without_roles(
    sso_server: Server, page: Page
) -> None:
    sign_in_with_provider(page, sso_server.url, "new.neighbour@example.org")
    # shown through ui.plain_text.plain: a word joiner after the @ keeps it from a mailto: link
    expect(page.get_by_test_id("stSidebar")).to_contain_text("new.neighbour@\u2060example.org")
    nav_link(page, "账户").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("您还没有角色")
    assert "管理" not in nav_titles(page) and "年底评审" not in nav_titles(page)


def test_a_local_account_stays_signed_in_across_a_reload_until_it_signs_out(
    server: Server, page: Page
) -> None:
    sign_in(page, server.url, "reviewer")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("当前用户：")
    expect_nav(page, REVIEWER_PAGES)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["linli_sign_in"]["sameSite"] == "Strict"

    page.reload()
    wait_for_app(page)
    expect(sidebar).not_to_contain_text("未登录")
    expect_nav(page, REVIEWER_PAGES)

    nav_link(page, "账户").click()
    wait_for_app(page)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    wait_for_app(page)
    assert "linli_sign_in" not in {c["name"] for c in page.context.cookies()}
    page.reload()
    wait_for_app(page)
    expect(sidebar).to_contain_text("未登录")


def test_a_copied_sign_in_cookie_stops_working_after_sign_out(
    server: Server, page: Page, browser
) -> None:
    sign_in(page, server.url, "treasurer")
    token = {c["name"]: c for c in page.context.cookies()}["linli_sign_in"]
    other = browser.new_context(locale="zh-CN")
    try:
        other.add_cookies([token])
        thief = other.new_page()
        open_page(thief, server.url)
        expect(thief.get_by_test_id("stSidebar")).to_contain_text("当前用户：陈静")
        nav_link(page, "账户").click()
        wait_for_app(page)
        page.get_by_role("button", name="退出登录").click()
        wait_for_app(page)
        thief.reload()
        wait_for_app(thief)
        expect(thief.get_by_test_id("stSidebar")).to_contain_text("未登录")
        assert "陈静" not in main_text(thief)
    finally:
        other.close()


def test_wrong_passwords_lock_the_account_form(fresh_server: Server, page: Page) -> None:
    open_page(page, fresh_server.url)
    nav_link(page, "账户").click()
    wait_for_app(page)
    for _ in range(5):
        page.get_by_label("用户名", exact=True).fill("secretary")
        page.get_by_label("密码", exact=True).fill("not the password")
        page.get_by_role("button", name="登录", exact=True).click()
        wait_for_app(page)
        expect(page.get_by_test_id("stMain")).to_contain_text("用户名或密码错误")
    page.get_by_label("用户名", exact=True).fill("secretary")
    page.get_by_label("密码", exact=True).fill("linli-demo-2026")
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("失败次数过多")
    assert page.get_by_role("button", name="退出登录").count() == 0
