"""How long each printed report takes, and the first page of each as a picture for the docs.

    .venv/bin/python benchmarks/reports.py [--out docs/screenshots] [--repeat 3]

Loads the demo street into a temporary SQLite store, then for each report (in Chinese) times
the import of WeasyPrint once, the service read and layout, and the PDF, and writes page 1
with ``pdftoppm -png -r 60`` (poppler-utils) as ``report-<name>.png``:

- report-review.png        the 2025 year-end review session (年底评审会)
- report-minutes.png       the published minutes of the committee meeting
- report-fund-notice.png   平阳社区微基金's income and spending, for the notice board
- report-round-notice.png  the 2025 round's published result, for the notice board
- report-indicators.png    古美路街道's indicators for 2026, its communities and its trend
- report-allocation.png    the published split of 古美路街道's 2026 seed money
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlmodel import Session, select  # noqa: E402

from models import (  # noqa: E402
    AllocationPlan,
    BudgetRound,
    Fund,
    Meeting,
    ReviewSession,
    make_engine,
)
from models.vocabulary import MinutesStatus  # noqa: E402
from services.permissions import ANONYMOUS  # noqa: E402
from ui.reports import (  # noqa: E402
    allocation,
    fund_notice,
    indicators,
    minutes,
    review_session,
    round_notice,
)
from ui.reports.layout import Report  # noqa: E402
from ui.reports.pdf import report_pdf  # noqa: E402

PRINTED = date(2026, 12, 6)


def _demo(folder: Path) -> Session:
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {
        **os.environ,
        "LINLI_DATABASE_URL": url,
        "LINLI_ENV": "development",
        "LINLI_UPLOAD_DIR": str(folder / "uploads"),
        "PYTHONPATH": str(REPO),
    }
    subprocess.run([sys.executable, "-m", "demo"], cwd=REPO, env=env, check=True)
    return Session(make_engine(url))


def _first(session: Session, query: Any) -> int:
    found = session.exec(query).first()
    assert found is not None, "the demo should have it"
    return int(found)


def _reports(
    session: Session,
) -> dict[str, tuple[Callable[..., Report], dict[str, int | None]]]:
    published = select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.PUBLISHED)
    return {
        "review": (
            review_session.read_report,
            {"session_id": _first(session, select(ReviewSession.id))},
        ),
        "minutes": (minutes.read_report, {"meeting_id": _first(session, published)}),
        "fund-notice": (
            fund_notice.read_report,
            {"fund_id": _first(session, select(Fund.id).where(Fund.name == "平阳社区微基金"))},
        ),
        "round-notice": (
            round_notice.read_report,
            {"round_id": _first(session, select(BudgetRound.id).where(BudgetRound.year == 2025))},
        ),
        "indicators": (indicators.read_report, {"street_id": None, "year": 2026}),
        "allocation": (
            allocation.read_report,
            {"plan_id": _first(session, select(AllocationPlan.id))},
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        session = _demo(folder)
        started = time.perf_counter()
        import weasyprint  # noqa: F401  (what the first PDF of a process pays once)

        print(f"import weasyprint: {time.perf_counter() - started:.2f} s")
        for name, (read_report, ids) in _reports(session).items():
            reads, pdfs = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = read_report(session, ANONYMOUS, locale="zh-CN", printed_on=PRINTED, **ids)
                reads.append(time.perf_counter() - started)
                started = time.perf_counter()
                pdf = report_pdf(report)
                pdfs.append(time.perf_counter() - started)
            path = folder / f"{name}.pdf"
            path.write_bytes(pdf)
            pages = subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout
            count = next(
                line.split()[-1] for line in pages.splitlines() if line.startswith("Pages")
            )
            args.out.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(path),
                    str(args.out / f"report-{name}"),
                ],
                check=True,
            )
            print(
                f"{name:13} read+layout {min(reads) * 1000:6.0f} ms   PDF {min(pdfs):5.2f} s "
                f"(best of {args.repeat})   {count} pages, {len(pdf) // 1024} KiB"
            )
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
