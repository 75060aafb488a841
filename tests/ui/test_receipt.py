"""The receipt's files: a PNG that carries the code (drawn, and as the PNG's text) and a PDF
that any reader opens: its cross-reference table points at its objects, its picture is whole,
and the code is on the page as text."""

import re
import shutil
import subprocess
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from ui.receipt import TEXT_FONTS, ReceiptText, _font, _wrap, receipt_pdf, receipt_png

CODE = "ABCD-EFGH-JKLM"
TEXT = ReceiptText(
    title="邻里 · 投票回执",
    round_name="平阳社区2026年微基金项目",
    code_label="回执码",
    code=CODE,
    how="在「投票」页打开「用回执码核对选票」，输入此码：\nhttp://127.0.0.1:8501/vote",
    note="回执码只显示这张选票的内容，不显示您是谁。",
)


def _image(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_the_picture_carries_the_code() -> None:
    data = receipt_png(TEXT)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < 300_000
    image = _image(data)
    assert image.format == "PNG" and image.width == 900 and 300 < image.height < 1200
    assert image.text["Description"] == CODE  # type: ignore[attr-defined]
    other = _image(receipt_png(ReceiptText(**{**TEXT.__dict__, "code": "ZZZZ-YYYY-XXXX"})))
    changed = ImageChops.difference(image.convert("RGB"), other.convert("RGB")).getbbox()
    assert changed is not None  # the code is drawn: another code, other pixels
    left, top, right, bottom = changed
    assert right - left > 400 and bottom - top >= 40  # large: a line across most of the card


def test_a_long_round_name_wraps_and_the_card_grows() -> None:
    long = ReceiptText(**{**TEXT.__dict__, "round_name": "平阳社区微基金项目" * 12})
    assert _image(receipt_png(long)).height > _image(receipt_png(TEXT)).height
    font = _font(TEXT_FONTS, 30)
    lines = _wrap("participatory budgeting for neighbourhood micro funds " * 4, font, 400)
    assert len(lines) > 3 and all(font.getlength(line) <= 400 for line in lines)
    assert all(not line.startswith(" ") for line in lines)


@pytest.mark.skipif(
    not any(Path(path).exists() and "CJK" in path for path, _ in TEXT_FONTS),
    reason="no Chinese font on this machine (Debian: fonts-noto-cjk)",
)
def test_chinese_is_drawn_in_glyphs_not_boxes() -> None:
    font = _font(TEXT_FONTS, 30)
    assert bytes(font.getmask("邻里")) != bytes(font.getmask("投票"))


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object the cross-reference table lists, read at the offset it gives."""
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:].startswith(b"xref\n")
    header = re.match(rb"xref\n0 (\d+)\n", pdf[start:])
    assert header is not None
    count = int(header.group(1))
    rows = pdf[start + header.end() :].split(b"\n")[:count]
    assert rows[0] == b"0000000000 65535 f "
    trailer = pdf[start:].split(b"trailer\n", 1)[1]
    assert f"/Size {count}".encode() in trailer and b"/Root 1 0 R" in trailer
    objects = {}
    for number, row in enumerate(rows[1:], start=1):
        offset, generation, kind = row.split()
        assert (generation, kind) == (b"00000", b"n")
        body = pdf[int(offset) :]
        assert body.startswith(f"{number} 0 obj\n".encode())
        objects[number] = body[: body.index(b"\nendobj\n")]
    return objects


def _stream(body: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", body).group(1))  # type: ignore[union-attr]
    data = body[body.index(b"stream\n") + len(b"stream\n") :]
    assert data[length:].lstrip(b"\n").startswith(b"endstream")
    return data[:length]


def test_the_pdf_is_well_formed_and_holds_the_code_as_text() -> None:
    pdf = receipt_pdf(TEXT)
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    objects = _objects(pdf)
    assert len(objects) == 6
    assert b"/Type /Catalog" in objects[1] and b"/Count 1" in objects[2]
    assert b"/BaseFont /Courier" in objects[4]
    content = _stream(objects[6])
    assert f"(Linli ballot receipt code: {CODE}) Tj".encode() in content
    assert b"/Receipt Do" in content
    image = objects[5]
    width = int(re.search(rb"/Width (\d+)", image).group(1))  # type: ignore[union-attr]
    height = int(re.search(rb"/Height (\d+)", image).group(1))  # type: ignore[union-attr]
    pixels = zlib.decompress(_stream(image))
    assert len(pixels) == width * height * 3 and width == 900
    assert pixels.count(b"\xff") < len(pixels)  # not a blank page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_pdf_reader_finds_the_code() -> None:
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=receipt_pdf(TEXT), capture_output=True, check=True
    )
    assert CODE.encode() in done.stdout
    assert done.stderr == b""  # poppler repairs nothing


def test_the_pdf_text_line_takes_ascii_only() -> None:
    with pytest.raises(ValueError):
        receipt_pdf(TEXT, code_line="回执码")
    pdf = receipt_pdf(ReceiptText(**{**TEXT.__dict__, "code": "A(B)C\\D"}))
    assert rb"(Linli ballot receipt code: A\(B\)C\\D) Tj" in pdf
