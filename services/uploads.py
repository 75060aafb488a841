"""Files attached to a proposal: photos, receipts (发票) and documents.

An upload is checked before anything is kept (``services.file_checks``): its type from the
bytes, its name's extension against that type, its size against the kind's limit, images
decoded and stripped of location and other metadata. Only then are the bytes written, under a
random name, into the upload folder (``LINLI_UPLOAD_DIR``), which nothing serves: every read
goes through ``open_attachment`` and its permission check. A refused upload leaves no row and
no file; a failed commit removes the file it had written.

Who may add what: the proposer and the committee of the proposal's place add photos and
documents (as they may move the proposal, ``services.proposals``); a treasurer adds receipts
(``RECORD_EXPENSE``).

Who may see what:

- photos and documents are public once their proposal is (no longer a draft), as the proposal
  itself is; a draft's files stay with its author and the committee;
- receipts follow the ledger. Every expense line is public (公示, with its payee and invoice
  number), so a receipt that an expense line names is public with it: it is that line's proof.
  A receipt no line names yet is a paper the treasurer is still filing, and may carry a
  person's details (a payee's ID or bank number on a labour receipt): only those who may see
  the full books of the proposal's place (``VIEW_BOOKS``) see it.
"""

import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, func, select

from models import Attachment, LedgerEntry, Proposal
from models.engine import DEFAULT_SQLITE_PATH
from models.vocabulary import AttachmentKind, ProposalStatus
from services.common import (
    choice,
    get_or_fail,
    id_of,
    lock_for_change,
    place_tree,
    record_audit,
    require_at,
)
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.file_checks import JPEG, MIB, PDF, PNG, WEBP, FileFormat, check_file, clean_filename
from services.permissions import ANONYMOUS, Action, PlaceTree, Viewer, can

__all__ = [
    "ACCEPTED",
    "MAX_ATTACHMENTS_PER_PROPOSAL",
    "MAX_BYTES",
    "AttachmentInfo",
    "accepted_extensions",
    "attach_file",
    "attachable_kinds",
    "list_attachments",
    "max_upload_mb",
    "open_attachment",
    "upload_dir",
]

UPLOAD_DIR_ENV = "LINLI_UPLOAD_DIR"
DEFAULT_UPLOAD_DIR = DEFAULT_SQLITE_PATH.parent / "uploads"  # data/uploads, beside data/linli.db
K = AttachmentKind
MAX_BYTES: Mapping[AttachmentKind, int] = {
    K.PHOTO: 8 * MIB,
    K.RECEIPT: 10 * MIB,
    K.DOCUMENT: 10 * MIB,
}
ACCEPTED: Mapping[AttachmentKind, tuple[FileFormat, ...]] = {
    K.PHOTO: (JPEG, PNG, WEBP),
    K.RECEIPT: (PDF, JPEG, PNG),
    K.DOCUMENT: (PDF, JPEG, PNG),
}
MAX_ATTACHMENTS_PER_PROPOSAL = 40
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|webp|pdf)")


@dataclass(frozen=True)
class AttachmentInfo:
    """What a screen shows of a stored file (never where it is stored)."""

    id: int
    proposal_id: int | None
    kind: str
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def upload_dir() -> Path:
    """Read on every call, so that a test or an operator can point it elsewhere."""
    configured = os.environ.get(UPLOAD_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_UPLOAD_DIR


def accepted_extensions(kind: str) -> list[str]:
    """For the upload widget's file picker; the service checks the bytes regardless."""
    formats = ACCEPTED[AttachmentKind(choice(kind, AttachmentKind, "kind"))]
    return [ext.lstrip(".") for f in formats for ext in f.extensions]


def max_upload_mb(kind: str) -> int:
    return MAX_BYTES[AttachmentKind(choice(kind, AttachmentKind, "kind"))] // MIB


def _info(attachment: Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        id=id_of(attachment),
        proposal_id=attachment.proposal_id,
        kind=attachment.kind,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        uploaded_at=attachment.uploaded_at,
    )


def _may_add_material(viewer: Viewer, proposal: Proposal | None, tree: PlaceTree) -> bool:
    """Photos and documents: the proposer, or the committee that reviews the proposal."""
    if proposal is None:
        return False
    if viewer.person_id is not None and viewer.person_id == proposal.proposer_id:
        return True
    return can(viewer, Action.REVIEW_ELIGIBILITY, proposal.place_id, tree)


def _may_open(
    viewer: Viewer,
    attachment: Attachment,
    proposal: Proposal | None,
    *,
    on_the_ledger: bool,
    tree: PlaceTree,
) -> bool:
    if attachment.kind == AttachmentKind.RECEIPT:
        place_id = proposal.place_id if proposal is not None else None
        return on_the_ledger or can(viewer, Action.VIEW_BOOKS, place_id, tree)
    if proposal is not None and proposal.status != ProposalStatus.DRAFT:
        return True
    return _may_add_material(viewer, proposal, tree)


def _on_the_ledger(session: Session, attachment_ids: list[int]) -> set[int]:
    """The receipts that a ledger entry names."""
    if not attachment_ids:
        return set()
    named = session.exec(
        select(LedgerEntry.receipt_attachment_id).where(
            col(LedgerEntry.receipt_attachment_id).in_(attachment_ids)
        )
    )
    return {attachment_id for attachment_id in named if attachment_id is not None}


def attachable_kinds(session: Session, viewer: Viewer, *, proposal_id: int) -> list[str]:
    """The kinds of file this viewer may attach to this proposal (none: no upload form)."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    tree = place_tree(session)
    kinds = []
    if _may_add_material(viewer, proposal, tree):
        kinds += [AttachmentKind.PHOTO, AttachmentKind.DOCUMENT]
    if can(viewer, Action.RECORD_EXPENSE, proposal.place_id, tree):
        kinds.append(AttachmentKind.RECEIPT)
    return [kind.value for kind in AttachmentKind if kind in kinds]


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """A temporary file in the same folder, flushed to disk, then renamed: a reader or a crash
    never sees half a file under a stored name."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        target = directory / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def attach_file(
    session: Session,
    viewer: Viewer,
    *,
    proposal_id: int,
    kind: str,
    filename: str,
    data: bytes,
) -> int:
    """Checks everything first; writes the file, then the row and its audit entry in one
    transaction. Returns the new attachment's id."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    attachment_kind = AttachmentKind(choice(kind, AttachmentKind, "kind"))
    if attachment_kind is AttachmentKind.RECEIPT:
        require_at(session, viewer, Action.RECORD_EXPENSE, proposal.place_id)
    elif not _may_add_material(viewer, proposal, place_tree(session)):
        raise NotAllowed(action="attach_file")
    attachment, path = keep_attachment(
        session, viewer, proposal_id=proposal_id, kind=attachment_kind, filename=filename, data=data
    )
    try:
        session.commit()
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return id_of(attachment)


def keep_attachment(
    session: Session,
    viewer: Viewer,
    *,
    proposal_id: int,
    kind: AttachmentKind,
    filename: str,
    data: bytes,
) -> tuple[Attachment, Path]:
    """The checks, the file and the row with its audit entry, not yet committed: the caller
    commits it with whatever else the file belongs to (a payment request, services.expenses),
    and on failure rolls back and removes the returned file. Who may add it is the caller's
    check."""
    name = clean_filename(filename)
    if not name:
        raise InvalidInput("field_required", field="file_name")
    attached = session.exec(
        select(func.count()).select_from(Attachment).where(Attachment.proposal_id == proposal_id)
    ).one()
    if attached >= MAX_ATTACHMENTS_PER_PROPOSAL:
        raise InvalidInput("upload_too_many", max=MAX_ATTACHMENTS_PER_PROPOSAL)
    checked = check_file(
        bytes(data), filename=name, accepted=ACCEPTED[kind], max_bytes=MAX_BYTES[kind]
    )
    digest = hashlib.sha256(checked.data).hexdigest()
    lock_for_change(session)
    duplicate = session.exec(
        select(Attachment.id).where(
            Attachment.proposal_id == proposal_id, Attachment.sha256 == digest
        )
    ).first()
    if duplicate is not None:
        raise Conflict("upload_duplicate")
    stored_name = uuid.uuid4().hex + checked.format.extensions[0]
    path = _write_atomically(upload_dir(), stored_name, checked.data)
    try:
        attachment = Attachment(
            kind=kind,
            proposal_id=proposal_id,
            stored_name=stored_name,
            original_name=name,
            content_type=checked.format.content_type,
            size_bytes=len(checked.data),
            sha256=digest,
            uploaded_by_id=viewer.person_id,
        )
        session.add(attachment)
        record_audit(session, viewer, "attach_file", attachment)
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return attachment, path


def list_attachments(
    session: Session, viewer: Viewer = ANONYMOUS, *, proposal_id: int
) -> list[AttachmentInfo]:
    """The proposal's files that this viewer may open, oldest first (the public's by default)."""
    proposal = get_or_fail(session, Proposal, proposal_id)
    rows = list(
        session.exec(
            select(Attachment)
            .where(Attachment.proposal_id == proposal_id)
            .order_by(col(Attachment.uploaded_at), col(Attachment.id))
        )
    )
    on_the_ledger = _on_the_ledger(session, [id_of(row) for row in rows])
    tree = place_tree(session)
    return [
        _info(row)
        for row in rows
        if _may_open(viewer, row, proposal, on_the_ledger=row.id in on_the_ledger, tree=tree)
    ]


def open_attachment(
    session: Session, viewer: Viewer, *, attachment_id: int
) -> tuple[AttachmentInfo, bytes]:
    """A stored file's description and bytes, after the same check as ``list_attachments``."""
    attachment = get_or_fail(session, Attachment, attachment_id)
    proposal = (
        session.get(Proposal, attachment.proposal_id)
        if attachment.proposal_id is not None
        else None
    )
    on_the_ledger = bool(_on_the_ledger(session, [attachment_id]))
    tree = place_tree(session)
    if not _may_open(viewer, attachment, proposal, on_the_ledger=on_the_ledger, tree=tree):
        if attachment.kind == AttachmentKind.RECEIPT:
            raise NotAllowed(action=Action.VIEW_BOOKS.value)
        raise NotFound(entity="attachment")  # a draft's file: drafts are not public
    if not STORED_NAME.fullmatch(attachment.stored_name):  # never a path from the database
        raise NotFound(entity="attachment")
    try:
        data = (upload_dir() / attachment.stored_name).read_bytes()
    except FileNotFoundError:
        raise NotFound(entity="attachment") from None
    return _info(attachment), data
