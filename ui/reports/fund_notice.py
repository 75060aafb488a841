"""A fund's income and spending for the paper notice board (公示栏): the fund's figures, every
ledger entry oldest first with money in and out in their own columns, totals that match the
figures, and the books' fingerprint so that a reader can check the paper against the app."""

from datetime import date

from sqlmodel import Session

from models.vocabulary import LedgerKind
from services.ledger import LedgerLine
from services.permissions import Viewer
from services.printouts import FundNotice, fund_notice
from ui.reports.layout import Markup, Report, Words, facts, heading, paragraph, table

EARMARKS = (LedgerKind.ALLOCATION, LedgerKind.RELEASE)  # mark money for a project; no cash moves


def _counterparty(words: Words, notice: FundNotice, line: LedgerLine) -> str:
    if line.is_anonymous and not notice.books:
        return words("notice.anonymous")
    return line.counterparty


def _row(words: Words, notice: FundNotice, line: LedgerLine) -> list[str]:
    money = words.money(line.amount_fen)
    earmark = line.kind in EARMARKS
    incoming = line.id in notice.incoming
    project = notice.titles.get(line.proposal_id, "") if line.proposal_id else ""
    return [
        words.day(line.occurred_on),
        words.label("ledger_kind", line.kind),
        _counterparty(words, notice, line),
        " · ".join(part for part in (line.purpose, project) if part),
        money if incoming and not earmark else "",
        money if not incoming and not earmark else "",
        money if earmark else "",
    ]


def _ledger(words: Words, notice: FundNotice) -> Markup:
    if not notice.lines:
        return paragraph(words("app.nothing_yet"), "note")
    balance = notice.balance
    return table(
        [
            words("notice.date"),
            words("notice.kind"),
            words("notice.counterparty"),
            words("notice.purpose"),
            words("notice.money_in"),
            words("notice.money_out"),
            words("reports.earmark_column"),
        ],
        [_row(words, notice, line) for line in notice.lines],
        numeric=(4, 5, 6),
        nowrap=(0,),
        total=[
            words("reports.total"),
            "",
            "",
            "",
            words.money(balance.money_in_fen),
            words.money(balance.money_out_fen),
            "",
        ],
    )


def fund_notice_report(notice: FundNotice, locale: str, printed_on: date) -> Report:
    words = Words(locale)
    balance = notice.balance
    body = [
        facts(
            [
                (words("notice.fund"), balance.name),
                (words("notice.money_in"), words.money(balance.money_in_fen)),
                (words("notice.money_out"), words.money(balance.money_out_fen)),
                (words("reports.cash"), words.money(balance.cash_fen)),
                (words("notice.earmarked"), words.money(balance.earmarked_fen)),
                (words("notice.available"), words.money(balance.available_fen)),
            ]
        ),
        heading(2, words("reports.ledger")),
        _ledger(words, notice),
        paragraph(words("reports.earmark_note"), "note"),
        heading(2, words("verify.seal_title")),
        paragraph(notice.seal.printed, "seal"),
        paragraph(words("verify.seal_hint", entries=notice.seal.entries), "note"),
    ]
    return Report(
        locale=locale,
        title=words("reports.fund_notice_title", fund=balance.name),
        place=notice.place,
        on=printed_on,
        printed_on=printed_on,
        body="".join(body),
    )


def read_report(
    session: Session,
    viewer: Viewer,
    *,
    fund_id: int,
    locale: str,
    printed_on: date,
    books: bool = False,
) -> Report:
    notice = fund_notice(session, viewer, fund_id=fund_id, books=books)
    return fund_notice_report(notice, locale, printed_on)
