"""What an uploaded file really is, and images without their metadata: pure functions on bytes.

The type is read from the bytes' magic numbers, never from the file name or the browser; the
name's extension must then agree with it. Images must decode with Pillow. Metadata is removed
at the byte level, keeping only what is needed to draw the picture (JPEG tables and scans, PNG's
pixel and colour chunks, WebP's image chunks, ICC colour profiles): the picture data stays as the
camera wrote it, with no re-compression. Everything else goes: EXIF (with GPS and the camera's
serial number), XMP, IPTC, comments, text chunks, embedded thumbnails (which can show what was
cropped out) and anything after the end of the image (a second hidden file). One EXIF tag is
written back, alone: the orientation, without which a portrait phone photo shows on its side.

PDFs are checked for a header and an end marker only; Linli offers them as downloads, never
renders them, and keeps their document properties.
"""

import re
import struct
import unicodedata
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from PIL import Image

from services.errors import InvalidInput

__all__ = [
    "JPEG",
    "MAX_NAME_LENGTH",
    "MAX_PIXELS",
    "MIB",
    "PDF",
    "PNG",
    "WEBP",
    "CheckedFile",
    "FileFormat",
    "check_file",
    "clean_filename",
    "sniff",
]

MIB = 1024 * 1024  # Streamlit's "MB" (server.maxUploadSize) is this too
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond this a small file can decode to GBs
MAX_NAME_LENGTH = 120
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class FileFormat:
    name: str  # as people know it: "JPEG"
    content_type: str
    extensions: tuple[str, ...]  # the canonical one first
    pillow: str | None  # Pillow's format name; None for a document


JPEG = FileFormat("JPEG", "image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileFormat("PNG", "image/png", (".png",), "PNG")
WEBP = FileFormat("WebP", "image/webp", (".webp",), "WEBP")
PDF = FileFormat("PDF", "application/pdf", (".pdf",), None)


@dataclass(frozen=True)
class CheckedFile:
    format: FileFormat
    data: bytes  # what may be stored: an image without its metadata, a PDF as sent


class _Damaged(Exception):
    """Raised inside the parsers; ``check_file`` turns it into the user's error."""


def sniff(data: bytes) -> FileFormat | None:
    """The format by magic number, or None for anything Linli does not keep."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def clean_filename(name: str | None) -> str:
    """The user's file name, kept only as a label: no folders, no control or invisible
    direction-changing characters (which can make "exe.jpg" read as "gpj.exe"), no leading
    dots, at most ``MAX_NAME_LENGTH`` characters with the extension kept."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("C") or category in ("Zl", "Zp"):
            continue
        kept.append(" " if category == "Zs" else char)
    text = re.sub(r" +", " ", "".join(kept)).strip().lstrip(".").strip()
    if len(text) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(text).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        text = text[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return text


def _size_mb(size: int) -> str:
    return f"{size / MIB:.1f}"


def check_file(
    data: bytes, *, filename: str, accepted: Sequence[FileFormat], max_bytes: int
) -> CheckedFile:
    """Refuses (``InvalidInput``) an empty, too large, unexpected, misnamed or damaged file;
    otherwise returns the bytes to store. The cheap checks come first."""
    if not data:
        raise InvalidInput("upload_empty")
    if len(data) > max_bytes:
        raise InvalidInput("upload_too_large", size_mb=_size_mb(len(data)), max_mb=max_bytes // MIB)
    found = sniff(data)
    if found is None or found not in accepted:
        raise InvalidInput("upload_type_not_allowed", allowed=", ".join(f.name for f in accepted))
    if PurePosixPath(filename).suffix.lower() not in found.extensions:
        raise InvalidInput(
            "upload_extension_mismatch",
            name=filename,
            detected=found.name,
            expected=found.extensions[0],
        )
    if found.pillow is None:
        _check_pdf(data)
        return CheckedFile(found, data)
    return CheckedFile(found, _clean_image(data, found))


def _check_pdf(data: bytes) -> None:
    """A PDF starts with its version and ends (within the last kilobyte) with %%EOF; a cut-off
    upload has no end marker."""
    if not re.match(rb"%PDF-[12]\.\d", data) or b"%%EOF" not in data[-1024:]:
        raise InvalidInput("upload_damaged")


# --- images ------------------------------------------------------------------------------------


def _clean_image(data: bytes, found: FileFormat) -> bytes:
    orientation = _orientation_of(data, found)
    try:
        cleaned = STRIPPERS[found](data, orientation)
    except (_Damaged, struct.error):
        raise InvalidInput("upload_damaged") from None
    _require_decodes(cleaned, found)
    return cleaned


def _open(data: bytes, found: FileFormat) -> Image.Image:
    return Image.open(BytesIO(data), formats=[found.pillow] if found.pillow else None)


def _orientation_of(data: bytes, found: FileFormat) -> int | None:
    """Opens the image (headers only) to refuse one too large to decode safely, and reads the
    orientation to keep. Pillow raises many kinds of error on malformed input (OSError,
    SyntaxError, ValueError...): any of them means the file is damaged."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(data, found) as image:
                width, height = image.size
                try:
                    orientation = image.getexif().get(ORIENTATION_TAG)
                except Exception:  # a broken EXIF block is dropped anyway
                    orientation = None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidInput(
                "upload_too_many_pixels", max_megapixels=MAX_PIXELS // 10**6
            ) from None
        except Exception:
            raise InvalidInput("upload_damaged") from None
    if width * height > MAX_PIXELS:
        raise InvalidInput("upload_too_many_pixels", max_megapixels=MAX_PIXELS // 10**6)
    return orientation if isinstance(orientation, int) and 2 <= orientation <= 8 else None


def _require_decodes(data: bytes, found: FileFormat) -> None:
    """Decodes every pixel of what will be stored: a truncated or corrupt image is refused."""
    try:
        with _open(data, found) as image:
            image.load()
    except Exception:
        raise InvalidInput("upload_damaged") from None


def _orientation_tiff(orientation: int) -> bytes:
    """A little-endian TIFF header with one IFD holding only the orientation (26 bytes)."""
    entry = struct.pack("<HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)  # SHORT, one value
    return b"II*\x00" + struct.pack("<IH", 8, 1) + entry + struct.pack("<I", 0)


# JPEG: markers kept are the frame, tables and scans (SOFn, DHT, DAC, SOS, DQT, DNL, DRI, DHP,
# EXP: 0xC0-0xCF and 0xDA-0xDF), and three APP segments needed to draw the picture. Everything
# else (APP1 EXIF/XMP, APP13 IPTC, other APPn, COM, unknown markers) is dropped.
_JPEG_KEPT_APP = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}


def _jpeg_keeps(marker: int, payload: bytes) -> bytes | None:
    """The payload to keep for this segment, or None to drop it."""
    if 0xC0 <= marker <= 0xCF or 0xDA <= marker <= 0xDF:
        return payload
    signature = _JPEG_KEPT_APP.get(marker)
    if signature is None or not payload.startswith(signature):
        return None
    if marker == 0xE0:  # JFIF: keep the density, drop the embedded thumbnail
        return payload[:12] + b"\x00\x00" if len(payload) >= 14 else None
    return payload


def _jpeg_scan_end(data: bytes, start: int) -> int:
    """Where the entropy-coded data after a SOS segment ends: the next marker that is neither
    a stuffed 0xFF00, a restart marker (part of the scan) nor a fill byte."""
    position = start
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            return len(data)  # no end marker: the decode check decides
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position = found + 1 if following == 0xFF else found + 2
            continue
        return found


def _strip_jpeg(data: bytes, orientation: int | None) -> bytes:
    segments: list[bytes] = []
    position, size = 2, len(data)
    while position < size:
        if data[position] != 0xFF:
            raise _Damaged
        while position < size and data[position] == 0xFF:
            position += 1  # fill bytes
        if position >= size:
            raise _Damaged
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI: anything after it is not part of the picture
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segments.append(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2 or position + length > size:
            raise _Damaged
        payload = data[position + 2 : position + length]
        position += length
        kept = _jpeg_keeps(marker, payload)
        if kept is not None:
            segments.append(bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept)
        if marker == 0xDA:
            end = _jpeg_scan_end(data, position)
            segments.append(data[position:end])
            position = end
    if orientation is not None:
        exif = b"Exif\x00\x00" + _orientation_tiff(orientation)
        app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
        first_after_jfif = 1 if segments and segments[0].startswith(b"\xff\xe0") else 0
        segments.insert(first_after_jfif, app1)
    return b"\xff\xd8" + b"".join(segments) + b"\xff\xd9"


# PNG: the critical chunks, colour and layout chunks, and APNG's animation chunks are kept;
# text (tEXt, iTXt, zTXt), eXIf, tIME and any private chunk are dropped.
_PNG_KEPT = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"cHRM",
    b"gAMA",
    b"iCCP",
    b"sBIT",
    b"sRGB",
    b"cICP",
    b"mDCV",
    b"mDCv",
    b"cLLI",
    b"cLLi",
    b"bKGD",
    b"pHYs",
    b"acTL",
    b"fcTL",
    b"fdAT",
}


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def _strip_png(data: bytes, orientation: int | None) -> bytes:
    chunks: list[bytes] = []
    position, size = 8, len(data)
    while True:
        if position + 12 > size:
            raise _Damaged  # no IEND
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > size:
            raise _Damaged
        if kind in _PNG_KEPT:
            chunks.append(data[position:end])
        position = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][4:8] != b"IHDR":
        raise _Damaged
    if orientation is not None:  # eXIf must come before the image data
        chunks.insert(1, _png_chunk(b"eXIf", _orientation_tiff(orientation)))
    return data[:8] + b"".join(chunks)


# WebP: the image, alpha, animation and colour-profile chunks are kept; EXIF, XMP and unknown
# chunks are dropped, and the extended header's flags say so.
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04


def _strip_webp(data: bytes, orientation: int | None) -> bytes:
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        raise _Damaged
    chunks: list[bytes] = []
    extended = False
    position = 12
    while position + 8 <= end:
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        padded = length + (length & 1)
        if position + 8 + length > end:
            raise _Damaged
        chunk = data[position : position + 8 + padded].ljust(8 + padded, b"\x00")
        position += 8 + padded
        if kind not in _WEBP_KEPT:
            continue
        if kind == b"VP8X":
            if length < 10:
                raise _Damaged
            extended = True
            flags = chunk[8] & ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG)
            if orientation is not None:
                flags |= _WEBP_EXIF_FLAG
            chunk = chunk[:8] + bytes((flags,)) + chunk[9:]
        chunks.append(chunk)
    if orientation is not None and extended:  # EXIF comes after the image data
        tiff = _orientation_tiff(orientation)
        chunks.append(b"EXIF" + struct.pack("<I", len(tiff)) + tiff)
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


STRIPPERS: dict[FileFormat, Callable[[bytes, int | None], bytes]] = {
    JPEG: _strip_jpeg,
    PNG: _strip_png,
    WEBP: _strip_webp,
}
