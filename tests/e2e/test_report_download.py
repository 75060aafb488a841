"""A printed notice downloaded in the browser: anyone takes the fund's notice as a PDF from the
notice board; it is made on the click, in Streamlit's download thread, and reads back with
pdftotext with the fund's figures (demo/expenses.py; tests/ui/test_reports.py)."""

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlmodel import Session, select

from models import Fund, make_engine
from tests.e2e import wait_for_app
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def test_anyone_downloads_a_funds_notice_as_a_pdf(
    page: Page, server: Server, demo_template: Path
) -> None:
    with Session(make_engine(f"sqlite:///{demo_template}")) as session:
        fund_id = session.exec(select(Fund.id).where(Fund.name == "平阳社区微基金")).one()
    page.goto(server.url)
    wait_for_app(page)
    button = page.locator(f".st-key-report_pdf_fund_notice_{fund_id}").get_by_role(
        "button", name="打印用 PDF"
    )
    with page.expect_download(timeout=60_000) as started:
        button.click()
    path = Path(started.value.path())
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "平阳社区微基金收支公示" in text
    assert "¥333,600.00" in text and "¥282,626.67" in text and "第 1 页，共" in text
