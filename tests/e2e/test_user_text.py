"""User text is never markup, anywhere in the app (issue 8, item 5).

Hostile text (a markdown image of http://127.0.0.9/pixel.png, a link, a ``# heading``, raw
``<img>``/``<a>``/``<h1>`` HTML, ``:red[...]``, ``:material/warning:``, ``$x^2$`` and
``www.evil.example``) is written through the services into every free-text field of a demo copy
(``plant``) before the server starts; each field carries a tag (Q01...) that names it. Then each
page is opened by the people who see it: anonymous, a resident, the chair, the treasurer and the
reviewer. Every field drawn in the DOM must show exactly as typed (``shows_literally``); fields
drawn only in dataframes (a canvas) must reach the page; no page may hold a planted image, link,
icon, colour or formula, nor ask 127.0.0.9 (or evil.example) for anything.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect
from sqlmodel import Session, select

from models import Account, ProposalLineItem, make_engine
from models.vocabulary import (
    Category,
    CoFundingSource,
    CommitteePosition,
    PlaceKind,
    RubricCriterion,
)
from services import (
    accounts,
    expenses,
    funds,
    ledger,
    meetings,
    needs,
    places,
    proposals,
    reviews,
    rounds,
    tally,
)
from services.accounts import viewer_for_person
from services.ballots import BallotChoice
from services.permissions import Viewer
from services.proposals import LineItemInput, PledgeInput, ProposalDraft
from services.rounds import RoundSettings
from services.uploads import attach_file
from services.voting_codes import issue_voting_codes, register_households
from tests.e2e import (
    Wire,
    literal_holders,
    nav_link,
    shows_literally,
    sign_in,
    type_choice,
    wait_for_app,
)
from tests.e2e import open_page as open_app
from tests.e2e.conftest import Server, copy_store, start_server
from tests.services.test_uploads import photo_bytes
from tests.world import receipt_png

pytestmark = pytest.mark.e2e

PROBED = ("127.0.0.9", "evil.example")
# Elements that only planted text could have made (the app draws no colour, maths or emoji).
PLANTED_MARKUP = (
    'img[src*="127.0.0.9"], a[href*="127.0.0.9"], a[href*="evil.example"], '
    ".katex, .stMarkdownColoredText, .stMarkdownColoredBackground, "
    '[aria-label="warning icon"]'
)


def full(tag: str) -> str:
    """Everything at once: 195 characters, for fields of 200 and more."""
    return (
        f"# {tag} ![](http://127.0.0.9/pixel.png) [link](http://127.0.0.9/{tag}) "
        "<img src=http://127.0.0.9/i.png> <a href=http://127.0.0.9/a>a</a> <h1>h</h1> "
        f":red[{tag}] :material/warning: $x^2$ www.evil.example"
    )


def short(tag: str) -> str:
    """The same in 120 characters, for titles and names."""
    return (
        f"# {tag} ![](http://127.0.0.9/pixel.png) [l](x) <h1><a href=x><img src=x> "
        ":red[r] :material/warning: $x^2$ www.evil.example"
    )


def long(tag: str) -> str:
    """Several lines, for descriptions, plans, notes and comments."""
    return (
        full(tag) + "\n# heading\n    indented code\n- item :smile: :material_lock: a@evil.example"
        "\n> quote -> https://evil.example/x"
    )


def tiny(tag: str) -> str:
    """For fields of 60 characters."""
    return f"# {tag} ![](http://127.0.0.9/pixel.png) :red[r] $x^2$"


FIELDS = {
    "need title": short("Q01"),
    "need description": long("Q02"),
    "round name (ballot)": short("Q03"),
    "round name (counted)": short("Q04"),
    "proposal title (ballot)": short("Q05"),
    "proposal summary": long("Q06"),
    "line item": full("Q07"),
    "pledge source name": short("Q08"),
    "maintenance plan": long("Q09"),
    "maintainer": short("Q10"),
    "proposal title (funded)": short("Q11"),
    "proposal summary (funded)": long("Q12"),
    "line item (funded)": full("Q13"),
    "pledge source name (funded)": short("Q14"),
    "maintenance plan (funded)": long("Q15"),
    "maintainer (funded)": short("Q16"),
    "status reason (eligible)": full("Q17"),
    "status reason (eligible, funded)": full("Q18"),
    "status reason (in progress)": full("Q19"),
    "photo file name": "# Q20 ![](x) [l](y) <img src=x> :red[r] :material_warning: $x^2$ "
    "www.evil.example.jpg",
    "place name": short("Q21"),
    "person name": tiny("Q22") + " www.evil.example",
    "household label": "__www.evil.example__·Q23",
    "meeting title": short("Q24"),
    "meeting location": short("Q25"),
    "agenda item": full("Q26"),
    "attendance capacity": tiny("Q27"),
    "meeting note": long("Q28"),
    "decision": long("Q29"),
    "donor": full("Q30"),
    "donation purpose": full("Q31"),
    "allocation purpose": full("Q32"),
    "payee": full("Q33"),
    "expense purpose": full("Q34"),
    "invoice number": tiny("Q35"),
    "reversal reason": full("Q36"),
    "contributor": full("Q37"),
    "contribution description": full("Q38"),
    "review session title": short("Q39"),
    "review comment": long("Q40"),
    "charter text": long("Q41"),
}
# Shown only in dataframes: checked on the wire (see ``Wire``), not in the DOM.
IN_TABLES = {
    "attendance capacity",
    "donor",
    "donation purpose",
    "allocation purpose",
    "payee",
    "expense purpose",
    "invoice number",
    "reversal reason",
    "contributor",
    "contribution description",
}


def tag(field: str) -> str:
    return FIELDS[field].split()[1] if field != "household label" else "Q23"


@dataclass(frozen=True)
class Planted:
    server: Server
    voting_code: str


def _viewer(session: Session, username: str) -> Viewer:
    account = session.exec(select(Account).where(Account.subject == username)).one()
    return viewer_for_person(session, account.person_id)


def _draft(place_id: int, round_id: int, *, funded: bool) -> ProposalDraft:
    def field(name: str) -> str:
        return FIELDS[name + (" (funded)" if funded else "")]

    return ProposalDraft(
        place_id=place_id,
        round_id=round_id,
        title=FIELDS["proposal title (funded)" if funded else "proposal title (ballot)"],
        summary=field("proposal summary"),
        category=Category.PUBLIC_FACILITIES,
        line_items=[
            LineItemInput(field("line item"), Category.PUBLIC_FACILITIES, 2, "3000"),
        ],
        co_funding=[PledgeInput(CoFundingSource.RESIDENTS, field("pledge source name"), "1000")],
        maintenance_plan=field("maintenance plan"),
        maintainer=field("maintainer"),
        maintenance_years=3,
    )


def _open_round(session: Session, chair: Viewer, name: str, fund_id: int, place_id: int) -> int:
    round_id = rounds.create_round(
        session,
        chair,
        config=RoundSettings(
            name=name, year=date.today().year, fund_id=fund_id, place_id=place_id, budget="50000"
        ),
    )
    rounds.advance_round(session, chair, round_id=round_id)  # draft -> needs: takes proposals
    return round_id


def _to_voting(session: Session, chair: Viewer, round_id: int) -> None:
    while rounds.advance_round(session, chair, round_id=round_id) != "voting":
        pass


def plant(db: Path) -> str:
    """Every free-text field, through the services and the people who fill it in; returns the
    household voting code that opens the ballot of the round named "round name (ballot)"."""
    engine = make_engine(f"sqlite:///{db}")
    today = date.today()
    with Session(engine) as session:
        admin, chair, treasurer, clerk, reviewer, resident = (
            _viewer(session, name)
            for name in ("admin", "chair", "treasurer", "clerk", "reviewer", "resident")
        )
        by_name = {p.name: p.id for p in places.list_places(session)}
        community, home, street = by_name["平阳社区"], by_name["平阳一村"], by_name["古美路街道"]
        fund_id = next(
            b.fund_id for b in ledger.fund_balances(session) if b.name == "平阳社区微基金"
        )
        compound = places.create_place(
            session,
            admin,
            kind=PlaceKind.COMPOUND,
            name=FIELDS["place name"],
            parent_id=community,
            households=10,
        )
        member_id = accounts.add_person(
            session,
            admin,
            display_name=FIELDS["person name"],
            username="hostile",
            password="a-long-password-2026",
            home_place_id=compound,
        )
        accounts.grant_role(
            session,
            admin,
            person_id=member_id,
            role="committee_member",
            place_id=community,
            position=CommitteePosition.MEMBER,
        )
        member = viewer_for_person(session, member_id)

        needs.post_need(
            session,
            resident,
            place_id=home,
            title=FIELDS["need title"],
            description=FIELDS["need description"],
            category=Category.SAFETY,
        )
        on_ballot = _open_round(session, chair, FIELDS["round name (ballot)"], fund_id, community)
        counted = _open_round(session, chair, FIELDS["round name (counted)"], fund_id, community)
        first = proposals.submit_proposal(
            session, resident, draft=_draft(home, on_ballot, funded=False)
        )
        funded = proposals.submit_proposal(
            session, resident, draft=_draft(home, counted, funded=True)
        )
        attach_file(
            session,
            resident,
            proposal_id=funded,
            kind="photo",
            filename=FIELDS["photo file name"],
            data=photo_bytes(),
        )
        for proposal_id, reason in (
            (first, "status reason (eligible)"),
            (funded, "status reason (eligible, funded)"),
        ):
            proposals.change_proposal_status(
                session, chair, proposal_id=proposal_id, to_status="eligible", reason=FIELDS[reason]
            )
        _to_voting(session, chair, on_ballot)
        _to_voting(session, chair, counted)
        rounds.cast_ballot(
            session, resident, round_id=counted, ballot=BallotChoice(approvals=(funded,))
        )
        rounds.advance_round(session, chair, round_id=counted)  # voting closes
        tally.publish_tally(
            session, chair, tally_id=tally.count_votes(session, chair, round_id=counted)
        )
        proposals.change_proposal_status(
            session,
            chair,
            proposal_id=funded,
            to_status="in_progress",
            reason=FIELDS["status reason (in progress)"],
        )

        register_households(session, clerk, compound_id=compound, labels=FIELDS["household label"])
        (issued,) = issue_voting_codes(session, clerk, round_id=on_ballot, compound_id=compound)

        meeting = meetings.schedule_meeting(
            session,
            chair,
            place_id=community,
            title=FIELDS["meeting title"],
            scheduled_at=datetime.now(UTC) + timedelta(days=365),
            location=FIELDS["meeting location"],
        )
        item = meetings.add_agenda_item(
            session, chair, meeting_id=meeting, title=FIELDS["agenda item"], proposal_id=first
        )
        meetings.record_attendance(
            session,
            chair,
            meeting_id=meeting,
            person_id=member_id,
            capacity=FIELDS["attendance capacity"],
        )
        meetings.start_meeting(session, chair, meeting_id=meeting)
        meetings.next_agenda_item(session, chair, meeting_id=meeting, from_item_id=None)
        meetings.take_note(
            session, member, meeting_id=meeting, body=FIELDS["meeting note"], agenda_item_id=item
        )
        meetings.record_decision(
            session,
            chair,
            meeting_id=meeting,
            outcome="approved",
            text=FIELDS["decision"],
            votes_for=7,
            agenda_item_id=item,
            proposal_id=first,
        )
        meetings.close_meeting(session, chair, meeting_id=meeting)
        meetings.publish_minutes(session, chair, meeting_id=meeting)

        ledger.record_donation(
            session,
            treasurer,
            fund_id=fund_id,
            amount="100",
            donor=FIELDS["donor"],
            purpose=FIELDS["donation purpose"],
            occurred_on=today,
        )
        ledger.allocate_to_proposal(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=funded,
            amount="1000",
            occurred_on=today,
            purpose=FIELDS["allocation purpose"],
        )
        line = session.exec(
            select(ProposalLineItem.id).where(ProposalLineItem.proposal_id == funded)
        ).first()
        assert line is not None
        request = expenses.request_payment(
            session,
            treasurer,
            fund_id=fund_id,
            proposal_id=funded,
            line_item_id=line,
            amount="500",
            payee=FIELDS["payee"],
            purpose=FIELDS["expense purpose"],
            invoice_number=FIELDS["invoice number"],
            occurred_on=today,
            receipt_name="receipt.png",
            receipt_data=receipt_png("receipt"),
        )
        expense = expenses.approve_payment(session, member, request_id=request)
        ledger.reverse_entry(
            session,
            treasurer,
            entry_id=expense,
            reason=FIELDS["reversal reason"],
            occurred_on=today,
        )
        ledger.record_contribution(
            session,
            treasurer,
            fund_id=fund_id,
            kind="skills",
            contributor=FIELDS["contributor"],
            description=FIELDS["contribution description"],
            estimated_value="100",
            occurred_on=today,
        )
        charter = funds.current_charter(session, fund_id=fund_id)
        assert charter is not None
        funds.adopt_charter(
            session,
            admin,
            fund_id=fund_id,
            adopted_on=today,
            allowed_categories=charter.allowed_categories,
            forbidden_categories=charter.forbidden_categories,
            per_project_cap=str(charter.per_project_cap_fen // 100)
            if charter.per_project_cap_fen
            else None,
            per_community_year_cap=None,
            min_co_funding_permille=charter.min_co_funding_permille,
            text=FIELDS["charter text"],
        )

        # The demo's session of this year makes way for one with typed text, chaired by the
        # reviewer (the roster: the reviewer alone) and put on the funded project.
        for row in reviews.list_review_sessions(session, reviewer):
            if row.is_open:
                reviews.close_review_session(session, reviewer, session_id=row.id)
        review = reviews.open_review_session(
            session,
            reviewer,
            street_id=street,
            year=today.year,
            title=FIELDS["review session title"],
            held_on=today,
        )
        current: int | None = None
        while current != funded:
            current = reviews.next_review_project(
                session, reviewer, session_id=review, from_proposal_id=current
            )
        reviews.score_project(
            session,
            reviewer,
            session_id=review,
            proposal_id=funded,
            scores={c.value: 3 for c in RubricCriterion},
            recommendation="continue",
            comment=FIELDS["review comment"],
        )
    engine.dispose()
    return issued.code


@pytest.fixture(scope="module")
def planted(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    directory = tmp_path_factory.mktemp("user_text")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LINLI_UPLOAD_DIR", str(directory / "uploads"))  # the server inherits it
        store = copy_store(demo_template, directory)
        code = plant(store)
        server = start_server(demo_template, directory, store=store)
        try:
            yield Planted(server=server, voting_code=code)
        finally:
            server.stop()


class Visit:
    """One browser page: what it asked of the probed hosts, and what the server sent it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.asked: list[str] = []
        self.wire = Wire().attach(page)
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        if any(host in request.url for host in PROBED):
            self.asked.append(request.url)

    def check(self, where: str, *fields: str) -> None:
        """The fields show as typed, and nothing on the page is planted markup."""
        wait_for_app(self.page)
        wrong = {
            field: literal_holders(self.page, FIELDS[field])
            for field in fields
            if not shows_literally(self.page, FIELDS[field])
        }
        assert not wrong, f"{where}: not shown as typed: {wrong}"
        expect(self.page.locator(PLANTED_MARKUP), where).to_have_count(0)
        assert "😄" not in self.page.locator("body").inner_text(), f"{where}: an emoji shortcode"
        assert not self.asked, f"{where}: the page asked for {self.asked}"

    def sent(self, where: str, *fields: str) -> None:
        """Fields drawn only in dataframes reached the page."""
        missing = [field for field in fields if not self.wire.carries(FIELDS[field])]
        assert not missing, f"{where}: never sent: {missing}"

    def open(self, url: str) -> None:
        open_app(self.page, url)

    def go(self, title: str) -> None:
        nav_link(self.page, title).click()
        wait_for_app(self.page)

    def click(self, locator: Locator) -> None:
        locator.click()
        wait_for_app(self.page)


def expander(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stExpander").filter(has_text=text)


@pytest.fixture
def visit(context: BrowserContext) -> Visit:
    return Visit(context.new_page())


def test_anonymous_pages_show_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    page, url = visit.page, planted.server.url
    visit.open(url)
    visit.check("notice", "round name (ballot)", "round name (counted)", "proposal title (funded)")
    # The recent ledger is a list on the page (no longer a grid drawn on a canvas).
    visit.check("notice", "donor", "donation purpose", "allocation purpose", "payee")
    visit.check("notice", "expense purpose", "reversal reason")

    visit.go("居民点单")
    visit.check("needs", "need title", "need description")

    visit.go("提案")
    visit.check("proposals", "proposal title (ballot)", "proposal title (funded)")
    for title, suffix, reasons in (
        ("proposal title (ballot)", "", ("status reason (eligible)",)),
        (
            "proposal title (funded)",
            " (funded)",
            ("status reason (eligible, funded)", "status reason (in progress)"),
        ),
    ):
        box = expander(page, tag(title))
        visit.click(box.locator("summary"))
        visit.check(
            f"proposal{suffix}",
            *(
                name + suffix
                for name in (
                    "proposal summary",
                    "line item",  # a list on the page (no longer a grid drawn on a canvas)
                    "pledge source name",
                    "maintenance plan",
                )
            ),
            "maintainer" + suffix,
        )
        visit.click(box.get_by_test_id("stPopover").get_by_role("button"))
        visit.check(f"proposal{suffix} history", *reasons)
        page.keyboard.press("Escape")
    visit.click(expander(page, tag("proposal title (funded)")).get_by_text("照片与附件"))
    visit.check("proposal photo", "photo file name")

    visit.go("议事会")
    visit.check("meetings", "meeting title", "meeting location", "agenda item")
    for tab, fields in (
        ("会议纪要", ("meeting note", "person name")),
        ("决议", ("decision", "proposal title (ballot)")),
    ):
        visit.click(page.get_by_role("tab", name=tab))
        visit.check(f"meetings: {tab}", *fields)
    visit.click(page.get_by_role("tab", name="出席"))
    visit.check("meetings: 出席", "attendance capacity", "person name")  # a list, not a grid
    visit.click(page.get_by_text("投屏模式"))
    visit.check("meetings on the wall", "meeting title", "agenda item", "meeting note", "decision")

    visit.open(f"{url}/vote")  # a new session: the wall mode hid the navigation
    page.get_by_label("入户投票码").fill(planted.voting_code)
    visit.click(page.get_by_role("button", name="打开选票"))
    visit.check(
        "vote with a code",
        "round name (ballot)",
        "place name",
        "household label",
        "proposal title (ballot)",
    )

    visit.go("计票结果")
    type_choice(page, "投票轮次", tag("round name (counted)"))
    visit.click(expander(page, "为什么是这些项目").locator("summary"))
    visit.check("tally", "round name (counted)", "proposal title (funded)")

    visit.go("基金与账目")
    type_choice(page, "基金", "平阳社区微基金")
    visit.click(expander(page, "基金章程").locator("summary"))
    visit.check("ledger", "charter text")
    visit.sent("ledger", "donor", "payee", "expense purpose", "reversal reason")
    visit.click(page.get_by_role("tab", name="非资金贡献"))
    visit.sent("ledger", "contributor", "contribution description")


def test_the_ballot_shows_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    sign_in(visit.page, planted.server.url, "resident")
    visit.go("投票")
    visit.check("resident's ballot", "round name (ballot)", "proposal title (ballot)")


def test_the_chair_sees_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    sign_in(visit.page, planted.server.url, "chair")
    visit.go("议事会")
    visit.check("chair: meetings", "meeting title", "meeting location", "agenda item")
    visit.click(visit.page.get_by_role("tab", name="会议纪要"))
    visit.check("chair: notes", "meeting note", "person name")


def test_the_treasurer_sees_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    sign_in(visit.page, planted.server.url, "treasurer")
    visit.go("基金与账目")
    type_choice(visit.page, "基金", "平阳社区微基金")
    visit.check("treasurer: books")
    visit.sent("treasurer: books", "donor", "payee", "invoice number", "allocation purpose")


def test_the_review_shows_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    sign_in(visit.page, planted.server.url, "reviewer")
    visit.go("年底评审")  # the open session, on the funded project
    visit.check(
        "review",
        "review session title",
        "proposal title (funded)",
        "maintenance plan (funded)",
        "maintainer (funded)",
        "review comment",
    )


def test_the_set_up_screen_shows_user_text_as_typed(planted: Planted, visit: Visit) -> None:
    sign_in(visit.page, planted.server.url, "chair")
    visit.go("轮次与基金")
    visit.check("chair: rounds", "round name (ballot)", "round name (counted)")
    visit.click(visit.page.get_by_role("tab", name="章程"))
    visit.check("chair: charters", "charter text")
