"""The attachments of a proposal on the proposals screen: a committee member attaches a photo
and sees its thumbnail; a file that is not what its name says is refused in the viewer's
language, and nothing is kept; the public sees photos but not a receipt no ledger line names.

In Chinese, the default: AppTest formats select boxes' options outside the script run, where
the session's locale is not readable, so an English run with a select box cannot replay."""

import os
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from models import Attachment, make_engine
from models.engine import database_url
from services.accounts import viewer_for_person
from services.proposals import list_proposals
from services.uploads import attach_file, attachable_kinds
from tests.pages.test_screens import open_page
from tests.services.test_uploads import pdf_bytes, photo_bytes
from ui.plain_text import plain


@pytest.fixture
def upload_dir() -> Path:
    """The run's folder, where the demo kept its receipts (tests/conftest.py)."""
    return Path(os.environ["LINLI_UPLOAD_DIR"])


def _store() -> Session:
    return Session(make_engine(database_url()))


def chairs_proposal(people: dict[str, int]) -> int:
    """A proposal the demo's chair may add photos to (one of the chair's community), with
    nothing attached yet (the demo's paid projects have their receipts)."""
    with _store() as session:
        chair = viewer_for_person(session, people["chair"])
        attached = set(session.exec(select(Attachment.proposal_id)).all())
        return next(
            row.id
            for row in list_proposals(session)
            if row.id not in attached
            and "photo" in attachable_kinds(session, chair, proposal_id=row.id)
        )


def attachments() -> int:
    with _store() as session:
        return session.exec(select(func.count()).select_from(Attachment)).one()


def show_attachments(at: AppTest, proposal_id: int) -> AppTest:
    at.toggle(key=f"attachments_{proposal_id}").set_value(True)
    return at.run()


def test_the_chair_attaches_a_photo_and_sees_it(demo_db: dict[str, int], upload_dir: Path) -> None:
    proposal_id = chairs_proposal(demo_db)
    before, kept = attachments(), set(upload_dir.iterdir())
    at = show_attachments(open_page("proposals", demo_db["chair"]), proposal_id)
    assert not at.exception and not at.image
    at.file_uploader(key=f"attach_file_{proposal_id}_0").upload(
        "stairwell.jpg", photo_bytes(), "image/jpeg"
    )
    at.run()
    at.button(key=f"attach_send_{proposal_id}").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [toast.value for toast in at.toast] == [f"已上传：{plain('stairwell.jpg')}"]
    assert len(at.image) == 1 and at.image[0].captions == [plain("stairwell.jpg")]
    assert attachments() == before + 1 and len(set(upload_dir.iterdir()) - kept) == 1
    # The uploader is empty again: a second click cannot attach the same file twice.
    assert at.file_uploader(key=f"attach_file_{proposal_id}_1").value is None


def test_a_web_page_named_as_a_photo_is_refused_in_the_viewers_language(
    demo_db: dict[str, int], upload_dir: Path
) -> None:
    proposal_id = chairs_proposal(demo_db)
    before, kept = attachments(), set(upload_dir.iterdir())
    at = show_attachments(open_page("proposals", demo_db["chair"]), proposal_id)
    at.file_uploader(key=f"attach_file_{proposal_id}_0").upload(
        "photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"
    )
    at.run()
    at.button(key=f"attach_send_{proposal_id}").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [  # error parameters go through plain()
        f"此处只接受 {plain('JPEG, PNG, WebP')} 格式的文件，该文件不属于其中任何一种。"
    ]
    assert attachments() == before and set(upload_dir.iterdir()) == kept


def test_the_public_sees_photos_but_not_an_unfiled_receipt(
    demo_db: dict[str, int], upload_dir: Path
) -> None:
    proposal_id = chairs_proposal(demo_db)
    with _store() as session:
        chair = viewer_for_person(session, demo_db["chair"])
        attach_file(
            session,
            chair,
            proposal_id=proposal_id,
            kind="photo",
            filename="after.png",
            data=photo_bytes("PNG"),
        )
        treasurer = viewer_for_person(session, demo_db["treasurer"])
        attach_file(
            session,
            treasurer,
            proposal_id=proposal_id,
            kind="receipt",
            filename="invoice.pdf",
            data=pdf_bytes(),
        )
    public = show_attachments(open_page("proposals", None), proposal_id)
    assert not public.exception and not public.error
    assert len(public.image) == 1 and not public.download_button
    assert not public.file_uploader  # nothing to attach for the public
    books = show_attachments(open_page("proposals", demo_db["treasurer"]), proposal_id)
    assert not books.exception and not books.error
    assert len(books.image) == 1
    receipt = f"发票/收据 · {plain('invoice.pdf')} · 1 KB"
    assert [b.label for b in books.download_button] == [receipt]
