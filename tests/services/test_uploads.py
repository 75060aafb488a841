"""Attachments: what is accepted, what is kept of it, where, and who sees it. Every refusal
leaves the store as it was: no row, no audit entry, no file (not even a temporary one)."""

import hashlib
import re
import struct
import tomllib
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from models import Attachment, AuditEntry
from models.engine import DEFAULT_SQLITE_PATH, REPO_ROOT
from services import uploads
from services.errors import Conflict, InvalidInput, LinliError, NotAllowed, NotFound
from services.file_checks import MAX_NAME_LENGTH, clean_filename
from services.permissions import ANONYMOUS
from services.proposals import LineItemInput, PledgeInput, ProposalDraft, submit_proposal
from services.uploads import attach_file, attachable_kinds, list_attachments, open_attachment
from tests.world import World
from ui import i18n

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LINLI_UPLOAD_DIR", str(folder))
    yield folder


@pytest.fixture
def proposal(world: World) -> int:
    draft = ProposalDraft(
        place_id=world.compound_a1,
        title="Stairwell lights",
        summary="Voice-activated lights in buildings 3 to 8",
        category="safety",
        line_items=[LineItemInput("LED lamp", "public_facilities", 48, "220")],
        # 10% of the cost: community A's micro-fund charter asks it of a proposal
        co_funding=[PledgeInput("property_manager", "Property manager", "1056")],
        maintenance_plan="Monthly check by the property manager",
        maintainer="Property manager",
        maintenance_years=3,
    )
    return submit_proposal(world.session, world.viewer("resident_a1"), draft=draft)


def picture(size: tuple[int, int] = (96, 64)) -> Image.Image:
    return Image.effect_mandelbrot(size, (-2.0, -1.5, 1.0, 1.5), 60).convert("RGB")


def revealing_exif() -> Image.Exif:
    """Where and with what a photo was taken: the GPS block a phone writes, and the camera."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # portrait: the one tag that is kept
    exif[MAKE] = "SpyCam Ltd"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 9.0, 30.5), 3: "E", 4: (121.0, 22.0, 10.0)}
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,9.5N</exif:GPSLatitude></x:xmpmeta>'
)


def photo_bytes(image_format: str = "JPEG") -> bytes:
    out = BytesIO()
    options: dict[str, object] = {"exif": revealing_exif()}
    if image_format == "JPEG":
        options |= {"xmp": XMP, "comment": b"taken at home, 3-2-501"}
    elif image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "taken at home, 3-2-501")
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    else:
        options |= {"xmp": XMP, "lossless": True}
    picture().save(out, image_format, **options)
    return out.getvalue()


def pdf_bytes(padding: int = 0) -> bytes:
    return b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * padding + b"\ntrailer <<>>\n%%EOF\n"


def counts(session: Session, folder: Path) -> tuple[int, int, int]:
    """Rows, audit entries and files (any file, temporary ones included)."""
    session.rollback()
    rows = session.exec(select(func.count()).select_from(Attachment)).one()
    audits = session.exec(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "attach_file")
    ).one()
    files = len([p for p in folder.rglob("*") if p.is_file()]) if folder.exists() else 0
    return rows, audits, files


def assert_explained(error: LinliError) -> None:
    """The user reads what is wrong, in either language, with every placeholder filled."""
    for locale in i18n.LOCALES:
        message = i18n.error_message(locale, error.code, error.params)
        assert message != f"error.{error.code}" and "{" not in message, (locale, message)


def refused(world: World, folder: Path, error_type: type[LinliError], **call) -> LinliError:  # type: ignore[no-untyped-def]
    viewer = call.pop("viewer", None) or world.viewer("resident_a1")
    before = counts(world.session, folder)
    with pytest.raises(error_type) as caught:
        attach_file(world.session, viewer, **call)
    assert counts(world.session, folder) == before
    assert_explained(caught.value)
    return caught.value


# --- accepted ----------------------------------------------------------------------------------


def test_a_photo_is_renamed_and_kept_outside_anything_served(
    world: World, proposal: int, upload_dir: Path
) -> None:
    attachment_id = attach_file(
        world.session,
        world.viewer("resident_a1"),
        proposal_id=proposal,
        kind="photo",
        filename="Stairwell at night.JPG",
        data=photo_bytes(),
    )
    row = world.session.get(Attachment, attachment_id)
    assert row is not None
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", row.stored_name)
    assert (row.original_name, row.content_type, row.kind) == (
        "Stairwell at night.JPG",
        "image/jpeg",
        "photo",
    )
    stored = upload_dir / row.stored_name
    assert [p.name for p in upload_dir.iterdir()] == [row.stored_name]  # no temporary file left
    assert row.size_bytes == stored.stat().st_size
    assert row.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert row.uploaded_by_id == world.people["resident_a1"]
    audit = world.session.exec(select(AuditEntry).where(AuditEntry.action == "attach_file")).one()
    assert audit.entity_id == attachment_id and audit.actor_id == world.people["resident_a1"]
    info, data = open_attachment(world.session, ANONYMOUS, attachment_id=attachment_id)
    assert data == stored.read_bytes() and info.original_name == "Stairwell at night.JPG"


def test_the_default_upload_folder_is_beside_the_database_and_not_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LINLI_UPLOAD_DIR")
    assert uploads.upload_dir() == DEFAULT_SQLITE_PATH.parent / "uploads"
    assert not uploads.upload_dir().is_relative_to(REPO_ROOT / "static")  # Streamlit's folder


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_photos_lose_location_and_camera_details(
    world: World, proposal: int, upload_dir: Path, image_format: str
) -> None:
    original = photo_bytes(image_format)
    with Image.open(BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)[2] == (31.0, 9.0, 30.5)  # present before
        pixels = before.convert("RGB").tobytes()
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    attachment_id = attach_file(
        world.session,
        world.viewer("chair_a"),  # the committee may add photos too
        proposal_id=proposal,
        kind="photo",
        filename=f"IMG_0042.{extension}",
        data=original,
    )
    stored = open_attachment(world.session, ANONYMOUS, attachment_id=attachment_id)[1]
    with Image.open(BytesIO(stored)) as after:
        exif = after.getexif()
        assert not exif.get_ifd(GPS_IFD) and GPS_IFD not in exif  # location gone
        assert dict(exif) == {ORIENTATION: 6}  # the camera gone; upright display kept
        assert "xmp" not in after.info and "comment" not in after.info
        assert after.convert("RGB").tobytes() == pixels  # the picture itself untouched
    for secret in (b"SpyCam", b"GPSLatitude", b"3-2-501"):
        assert secret not in stored


def test_a_receipt_may_be_a_pdf_up_to_its_own_limit(world: World, proposal: int) -> None:
    nine_mb = pdf_bytes(padding=9 * 1024 * 1024)  # more than a photo may be
    attachment_id = attach_file(
        world.session,
        world.viewer("treasurer_a"),
        proposal_id=proposal,
        kind="receipt",
        filename="发票 No. 0012.pdf",
        data=nine_mb,
    )
    info, data = open_attachment(
        world.session, world.viewer("treasurer_a"), attachment_id=attachment_id
    )
    assert (info.content_type, data) == ("application/pdf", nine_mb)


# --- refused, and nothing kept -----------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/steal?c='+document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def gif_bytes() -> bytes:
    out = BytesIO()
    picture().save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "filename", "data"),
    [
        ("photo", "photo.jpg", EXE),
        ("photo", "photo.jpg", HTML),
        ("photo", "photo.png", SVG),
        ("photo", "photo.gif", gif_bytes()),
        ("photo", "scan.pdf", pdf_bytes()),  # a PDF is no photo
        ("receipt", "invoice.pdf", HTML),
        ("document", "plan.webp", photo_bytes("WEBP")),  # documents: PDF, JPEG, PNG
    ],
)
def test_a_wrong_type_is_refused_whatever_its_name(
    world: World, proposal: int, upload_dir: Path, kind: str, filename: str, data: bytes
) -> None:
    viewer = world.viewer("treasurer_a" if kind == "receipt" else "resident_a1")
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        viewer=viewer,
        proposal_id=proposal,
        kind=kind,
        filename=filename,
        data=data,
    )
    assert error.code == "upload_type_not_allowed"
    assert error.params["allowed"] == ("JPEG, PNG, WebP" if kind == "photo" else "PDF, JPEG, PNG")


@pytest.mark.parametrize(("kind", "limit_mb"), [("photo", 8), ("receipt", 10), ("document", 10)])
def test_a_file_over_its_kind_limit_is_refused(
    world: World, proposal: int, upload_dir: Path, kind: str, limit_mb: int
) -> None:
    too_large = photo_bytes() + b"\x00" * (limit_mb * 1024 * 1024)
    viewer = world.viewer("treasurer_a" if kind == "receipt" else "resident_a1")
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        viewer=viewer,
        proposal_id=proposal,
        kind=kind,
        filename="big.jpg",
        data=too_large,
    )
    assert error.code == "upload_too_large" and error.params["max_mb"] == limit_mb


def test_an_empty_file_is_refused(world: World, proposal: int, upload_dir: Path) -> None:
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        proposal_id=proposal,
        kind="photo",
        filename="a.jpg",
        data=b"",
    )
    assert error.code == "upload_empty"


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("photo.jpg", "PNG", ".png"),
        ("photo.png", "JPEG", ".jpg"),
        ("photo", "JPEG", ".jpg"),
        ("photo.jpg.exe", "JPEG", ".jpg"),
        ("photo.webp", "JPEG", ".jpg"),
    ],
)
def test_the_name_must_agree_with_the_content(
    world: World, proposal: int, upload_dir: Path, filename: str, data: str, expected: str
) -> None:
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        proposal_id=proposal,
        kind="photo",
        filename=filename,
        data=photo_bytes(data),
    )
    assert error.code == "upload_extension_mismatch"
    assert error.params == {"name": filename, "detected": data, "expected": expected}


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes that claim a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload))
        return struct.pack(">I", len(payload)) + kind + payload + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("cut.jpg", photo_bytes()[:600], "upload_damaged"),
        ("cut.png", photo_bytes("PNG")[:-40], "upload_damaged"),
        ("cut.pdf", pdf_bytes()[:-8], "upload_damaged"),
        ("bomb.png", png_claiming(20_000, 20_000), "upload_too_many_pixels"),
    ],
)
def test_a_damaged_or_undecodable_file_is_refused(
    world: World, proposal: int, upload_dir: Path, filename: str, data: bytes, code: str
) -> None:
    kind = "document" if filename.endswith(".pdf") else "photo"
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        proposal_id=proposal,
        kind=kind,
        filename=filename,
        data=data,
    )
    assert error.code == code


def test_the_same_file_twice_is_refused(world: World, proposal: int, upload_dir: Path) -> None:
    proposer = world.viewer("resident_a1")
    attach_file(
        world.session,
        proposer,
        proposal_id=proposal,
        kind="photo",
        filename="a.jpg",
        data=photo_bytes(),
    )
    error = refused(
        world,
        upload_dir,
        Conflict,
        proposal_id=proposal,
        kind="photo",
        filename="b.jpg",
        data=photo_bytes(),
    )
    assert error.code == "upload_duplicate"


def test_a_proposal_holds_a_bounded_number_of_files(
    world: World, proposal: int, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_ATTACHMENTS_PER_PROPOSAL", 1)
    attach_file(
        world.session,
        world.viewer("resident_a1"),
        proposal_id=proposal,
        kind="document",
        filename="plan.pdf",
        data=pdf_bytes(),
    )
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        proposal_id=proposal,
        kind="photo",
        filename="a.jpg",
        data=photo_bytes(),
    )
    assert error.code == "upload_too_many"


def test_an_unknown_kind_is_refused(world: World, proposal: int, upload_dir: Path) -> None:
    error = refused(
        world,
        upload_dir,
        InvalidInput,
        proposal_id=proposal,
        kind="avatar",
        filename="a.jpg",
        data=photo_bytes(),
    )
    assert error.code == "field_invalid" and error.params == {"field": "kind"}


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("outsider", "photo"),
        ("resident_a2", "photo"),  # a neighbour, but not the proposer
        ("resident_b1", "document"),
        ("chair_b", "photo"),  # another community's committee
        ("resident_a1", "receipt"),  # the proposer files no receipts
        ("chair_a", "receipt"),  # receipts are the treasurer's
        ("treasurer_b", "receipt"),
    ],
)
def test_who_may_not_attach_changes_nothing(
    world: World, proposal: int, upload_dir: Path, who: str, kind: str
) -> None:
    refused(
        world,
        upload_dir,
        NotAllowed,
        viewer=world.viewer(who),
        proposal_id=proposal,
        kind=kind,
        filename="a.jpg",
        data=photo_bytes(),
    )


def test_anonymous_may_not_attach(world: World, proposal: int, upload_dir: Path) -> None:
    before = counts(world.session, upload_dir)
    with pytest.raises(NotAllowed):
        attach_file(
            world.session,
            ANONYMOUS,
            proposal_id=proposal,
            kind="photo",
            filename="a.jpg",
            data=photo_bytes(),
        )
    assert counts(world.session, upload_dir) == before


def test_what_each_may_attach(world: World, proposal: int) -> None:
    def kinds(who: str) -> list[str]:
        return attachable_kinds(world.session, world.viewer(who), proposal_id=proposal)

    assert kinds("resident_a1") == ["photo", "document"]
    assert kinds("member_a") == ["photo", "document"]
    assert kinds("treasurer_a") == ["photo", "receipt", "document"]
    assert kinds("resident_a2") == kinds("outsider") == kinds("treasurer_b") == []


def test_a_failed_commit_removes_the_written_file(
    world: World, proposal: int, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    before = counts(world.session, upload_dir)
    monkeypatch.setattr(world.session, "commit", failing_commit)
    with pytest.raises(OperationalError):
        attach_file(
            world.session,
            world.viewer("resident_a1"),
            proposal_id=proposal,
            kind="photo",
            filename="a.jpg",
            data=photo_bytes(),
        )
    monkeypatch.undo()
    assert counts(world.session, upload_dir) == (before[0], before[1], 0)


def test_an_unknown_proposal_is_not_found(world: World, upload_dir: Path) -> None:
    refused(
        world,
        upload_dir,
        NotFound,
        proposal_id=9999,
        kind="photo",
        filename="a.jpg",
        data=photo_bytes(),
    )


# --- who sees what -----------------------------------------------------------------------------


def test_photos_and_documents_of_a_public_proposal_are_public(world: World, proposal: int) -> None:
    proposer = world.viewer("resident_a1")
    photo = attach_file(
        world.session,
        proposer,
        proposal_id=proposal,
        kind="photo",
        filename="a.png",
        data=photo_bytes("PNG"),
    )
    document = attach_file(
        world.session,
        proposer,
        proposal_id=proposal,
        kind="document",
        filename="plan.pdf",
        data=pdf_bytes(),
    )
    listed = list_attachments(world.session, proposal_id=proposal)
    assert [(a.id, a.kind, a.is_image) for a in listed] == [
        (photo, "photo", True),
        (document, "document", False),
    ]
    for attachment_id in (photo, document):
        assert open_attachment(world.session, ANONYMOUS, attachment_id=attachment_id)[1]


def test_a_receipt_follows_the_ledger(world: World, proposal: int) -> None:
    treasurer = world.viewer("treasurer_a")
    receipt = attach_file(
        world.session,
        treasurer,
        proposal_id=proposal,
        kind="receipt",
        filename="inv.pdf",
        data=pdf_bytes(),
    )

    def listed(who: str | None) -> list[int]:
        viewer = world.viewer(who) if who else ANONYMOUS
        return [a.id for a in list_attachments(world.session, viewer, proposal_id=proposal)]

    # Filed but on no ledger line: the full books' readers only.
    assert listed(None) == listed("resident_a1") == listed("chair_b") == []
    assert listed("treasurer_a") == listed("member_a") == listed("reviewer") == [receipt]
    for who in ("resident_a1", "chair_b"):
        with pytest.raises(NotAllowed):
            open_attachment(world.session, world.viewer(who), attachment_id=receipt)
    with pytest.raises(NotAllowed):
        open_attachment(world.session, ANONYMOUS, attachment_id=receipt)
    assert open_attachment(world.session, world.viewer("reviewer"), attachment_id=receipt)[1]

    # Once paid, a payment request's receipt is public with its line (tests/services/
    # test_expenses.py); a receipt that no ledger line names stays with the books.


def test_a_file_missing_from_the_folder_is_not_found(
    world: World, proposal: int, upload_dir: Path
) -> None:
    attachment_id = attach_file(
        world.session,
        world.viewer("resident_a1"),
        proposal_id=proposal,
        kind="photo",
        filename="a.jpg",
        data=photo_bytes(),
    )
    for path in upload_dir.iterdir():
        path.unlink()
    with pytest.raises(NotFound):
        open_attachment(world.session, ANONYMOUS, attachment_id=attachment_id)


# --- names and limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\wang\\Pictures\\IMG_1.JPG", "IMG_1.JPG"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override dropped
        ("  .hidden.png ", "hidden.png"),
        ("line\nbreak\x00.pdf", "linebreak.pdf"),
        ("楼道\u3000照片.jpg", "楼道 照片.jpg"),
        ("", ""),
    ],
)
def test_original_names_are_cleaned(given: str, kept: str) -> None:
    assert clean_filename(given) == kept


def test_long_names_keep_their_extension() -> None:
    cleaned = clean_filename("很长的名字" * 60 + ".jpeg")
    assert len(cleaned) == MAX_NAME_LENGTH and cleaned.endswith(".jpeg")


def test_the_browser_limit_matches_the_largest_attachment_limit() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == max(uploads.MAX_BYTES.values())
