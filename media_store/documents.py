"""Documents are kept as sent and offered for download; PDFs also get a page count and a
first-page thumbnail, rendered by PDFium from the pypdfium2 wheel (no system dependency)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from PIL import Image

from media_store.paths import MediaStore
from media_store.renditions import Processed, Rendition

THUMB_SIDE = 320
MAX_PAGE_POINTS = 14_400  # 200 inches: anything larger is not rendered


def process_pdf(store: MediaStore, source: Path) -> Processed:
    """Blocking: run it in the darkroom child. A PDF PDFium cannot read is still a
    downloadable document."""
    try:
        document = pypdfium2.PdfDocument(str(source))
    except pypdfium2.PdfiumError:
        return Processed(details={"pages": None, "note": "the PDF could not be read"})
    try:
        pages = len(document)
        processed = Processed(details={"pages": pages})
        if pages:
            thumb = _first_page(store, document)
            if thumb is not None:
                processed.renditions.append(thumb)
        return processed
    finally:
        document.close()


def _first_page(store: MediaStore, document: pypdfium2.PdfDocument) -> Rendition | None:
    page = document[0]
    try:
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
            return None
        scale = THUMB_SIDE / max(width, height)
        picture: Image.Image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    target = store.temporary("jpg")
    picture.save(target, "JPEG", quality=85)
    return Rendition("thumb", target, "image/jpeg", "jpg", picture.width, picture.height)
