"""Real evidence files, made here with Pillow and pypdf, and files that only pretend to be of their type."""
import io

from PIL import Image
from pypdf import PdfWriter


def image_bytes(image_format):
    """A small real image in ``image_format`` (PNG, JPEG, GIF)."""
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format=image_format)
    return out.getvalue()


def pdf_bytes():
    """A one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
#: Files whose name and first bytes say one type and whose content is another.
PRETENDERS = {
    "pdf header then HTML": ("report.pdf", b"%PDF-1.7\n" + HTML),
    "png header then HTML": ("shot.png", b"\x89PNG\r\n\x1a\n" + HTML),
    "jpeg header then HTML": ("shot.jpg", b"\xff\xd8\xff\xe0" + HTML),
    "gif header then HTML": ("shot.gif", b"GIF89a" + HTML),
    "text holding HTML": ("notes.txt", b"Notes\n" + HTML),
    "csv holding an SVG": ("log.csv", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "text with NUL bytes": ("notes.txt", b"abc\x00def"),
    "a PNG that is a JPEG": ("shot.png", image_bytes("JPEG")),
}
