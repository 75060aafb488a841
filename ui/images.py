"""Thumbnails of stored photos for the screens.

Stored photos keep their EXIF orientation tag (the only metadata kept, see
``services.file_checks``); ``st.image`` resizes large images without reading it, so a portrait
phone photo would show on its side. The thumbnail is turned upright here, once per photo.
"""

from io import BytesIO

import streamlit as st
from PIL import Image, ImageOps

THUMBNAIL_PX = 480


@st.cache_data(max_entries=256, show_spinner=False)
def thumbnail(data: bytes, size: int = THUMBNAIL_PX) -> bytes:
    """An upright copy at most ``size`` pixels on its longer side (PNG if it has transparency,
    JPEG otherwise), without any metadata."""
    with Image.open(BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.thumbnail((size, size))
        out = BytesIO()
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image.convert("RGBA").save(out, "PNG")
        else:
            image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue()
