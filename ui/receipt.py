"""A voter's receipt as files to keep: a PNG drawn here with Pillow, and a one-page PDF.

The PDF is written by hand (PDF 1.4, no library): the receipt's picture, which carries the
Chinese text, and below it the code again as text in Courier, one of the standard fonts every
reader has, so that it can be searched and copied. Nothing here reads the store or Streamlit;
the page passes every word already translated.

Chinese needs a CJK font on the server (Debian: ``fonts-noto-cjk``); without one the code, in
Latin letters and digits, stays legible and other text shows as boxes.
"""

import zlib
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

# (font file, face index): the first that opens is used. Noto's collections hold Japanese,
# Korean, Simplified Chinese... faces in this order; index 2 and 7 are Simplified Chinese.
TEXT_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
)
CODE_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 7),
    ("/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf", 0),
    ("C:/Windows/Fonts/consolab.ttf", 0),
)
WIDTH = 900  # pixels
MARGIN = 56
INK = (33, 33, 33)
MUTED = (97, 97, 97)
ACCENT = (198, 40, 40)  # the app's primary colour
PDF_WIDTH = 420  # points (148 mm, an A5 page's width)
PDF_MARGIN = 36


@dataclass(frozen=True)
class ReceiptText:
    """What the receipt says, translated by the caller; ``round_name`` is as the round's
    organisers typed it."""

    title: str
    round_name: str
    code_label: str
    code: str
    how: str
    note: str


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(candidates: tuple[tuple[str, int], ...], size: int) -> Font:
    for path, index in candidates:
        try:
            return ImageFont.truetype(path, size, index=index)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    """Lines no wider than ``width``, broken at spaces where there are any and between any two
    characters in Chinese text (which has no spaces)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if font.getlength(line + char) <= width or not line:
                line += char
                continue
            cut = line.rfind(" ")
            if cut > 0 and char != " ":
                lines.append(line[:cut])
                line = line[cut + 1 :] + char
            else:
                lines.append(line.rstrip())
                line = char.lstrip()
        lines.append(line)
    return lines


def receipt_image(text: ReceiptText) -> Image.Image:
    """The receipt as a picture: title, round, the code large, how to check it, a warning."""
    title, body, small = (_font(TEXT_FONTS, size) for size in (40, 30, 24))
    code_font = _font(CODE_FONTS, 64)
    inner = WIDTH - 2 * MARGIN
    blocks: list[tuple[list[str], Font, tuple[int, int, int], int]] = [
        (_wrap(text.title, title, inner), title, ACCENT, 52),
        (_wrap(text.round_name, body, inner), body, INK, 42),
        (_wrap(text.code_label, small, inner), small, MUTED, 34),
        (_wrap(text.code, code_font, inner), code_font, INK, 84),
        (_wrap(text.how, small, inner), small, INK, 34),
        (_wrap(text.note, small, inner), small, MUTED, 34),
    ]
    gaps = (24, 36, 8, 32, 20, 0)
    height = MARGIN * 2 + sum(len(lines) * step for lines, _, _, step in blocks) + sum(gaps)
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, WIDTH - 9, height - 9), outline=ACCENT, width=4)
    y = MARGIN
    for (lines, font, colour, step), gap in zip(blocks, gaps, strict=True):
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=colour)
            y += step
        y += gap
    return image


def receipt_png(text: ReceiptText) -> bytes:
    """The picture, with the code also as the PNG's text (a program can read it back)."""
    info = PngInfo()
    info.add_text("Title", "Linli ballot receipt")
    info.add_text("Description", text.code)
    out = BytesIO()
    receipt_image(text).save(out, "PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def _pdf_string(text: str) -> str:
    """A PDF literal string of printable ASCII (the code and a fixed label)."""
    if not all(" " <= char <= "~" for char in text):
        raise ValueError("the PDF's text line takes printable ASCII only")
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def receipt_pdf(text: ReceiptText, *, code_line: str = "Linli ballot receipt code:") -> bytes:
    """One page: the receipt's picture, then ``code_line`` and the code in Courier."""
    image = receipt_image(text)
    pixels = zlib.compress(image.tobytes(), 9)
    shown_width = PDF_WIDTH - 2 * PDF_MARGIN
    shown_height = round(image.height * shown_width / image.width)
    page_height = shown_height + 2 * PDF_MARGIN + 40
    content = (
        f"q {shown_width} 0 0 {shown_height} {PDF_MARGIN} {page_height - PDF_MARGIN - shown_height}"
        " cm /Receipt Do Q\n"
        f"BT /Code 11 Tf {PDF_MARGIN} {PDF_MARGIN} Td "
        f"{_pdf_string(f'{code_line} {text.code}')} Tj ET\n"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PDF_WIDTH} {page_height}] "
            "/Resources << /Font << /Code 4 0 R >> /XObject << /Receipt 5 0 R >> >> "
            "/Contents 6 0 R >>"
        ).encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        (
            f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
            "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
            f"/Length {len(pixels)} >>\nstream\n"
        ).encode("ascii")
        + pixels
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode("ascii") + content + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the second line marks a binary file
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
