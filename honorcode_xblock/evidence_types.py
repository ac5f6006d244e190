"""
What an evidence file really is: each accepted type is checked by reading the whole file as that type, not by its
name or its first bytes.

- PDF: parsed by pypdf (a header followed by anything else is no PDF);
- PNG, JPEG, GIF: decoded by Pillow, which must find the format the extension names;
- text and CSV: UTF-8 without control characters, and no HTML or XML markup a browser could take for a page.

Pure rules: bytes in, a content type or a message out. ``api`` applies them to uploads.
"""
import io
import logging
import re
import warnings

from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

#: Accepted extensions: the content type stored for each, and how its content is checked.
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "PNG"),
    "jpg": ("image/jpeg", "JPEG"),
    "jpeg": ("image/jpeg", "JPEG"),
    "gif": ("image/gif", "GIF"),
    "txt": ("text/plain", "text"),
    "csv": ("text/csv", "text"),
}

#: Markup that makes a browser (or a tool that sniffs) take text for a page: the WHATWG MIME sniffing standard's
#: HTML patterns at the start of the file, and the script-bearing elements anywhere.
_MARKUP_AT_START = re.compile(
    rb"\A[\t\n\x0c\r ]*(<!doctype html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<body"
    rb"|<br|<p|<!--|<\?xml|<svg)[ >/]", re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(rb"<(script|iframe|object|embed|svg|html|body|meta|link|base|form)\b", re.IGNORECASE)
#: Control characters text may not hold (tab, line feed, form feed and carriage return are text).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def content_type_of(extension, content):
    """
    The content type of an evidence file whose content is what ``extension`` says.

    Arguments:
        extension (str): the file name's extension, lower case, one of ``EVIDENCE_TYPES``.
        content (bytes): the whole file.

    Returns:
        (content type, None) when the content is of that type, or (None, message) saying why not.
    """
    content_type, check = EVIDENCE_TYPES[extension]
    if check == "text":
        error = _text_error(content)
    elif check == "pdf":
        error = _pdf_error(content)
    else:
        error = _image_error(content, check)
    return (None, error) if error else (content_type, None)


def _not_a(extension):
    return _("The file's content is not a {type} file.").format(type=extension)


def _text_error(content):
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return _("A text file must be UTF-8 text.")
    if _CONTROL.search(content):
        return _("A text file must hold text only: this one holds control characters.")
    if _MARKUP_AT_START.search(content) or _MARKUP_ANYWHERE.search(content):
        return _("This text file holds HTML or XML markup: add it as a PDF or a screenshot instead.")
    return None


def _pdf_error(content):
    from pypdf import PdfReader  # pylint: disable=import-outside-toplevel
    from pypdf.errors import PyPdfError  # pylint: disable=import-outside-toplevel

    if not content.startswith(b"%PDF-"):
        return _not_a("PDF")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if len(reader.pages) < 1:
                return _not_a("PDF")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        log.info("Evidence refused as a PDF: %s", error)
        return _not_a("PDF")
    return None


def _image_error(content, image_format):
    from PIL import Image  # pylint: disable=import-outside-toplevel

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                image.load()  # decodes every pixel: a header with anything else after it fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _("The image is too large to check ({format}).").format(format=image_format)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        log.info("Evidence refused as %s: %s", image_format, error)
        return _not_a(image_format)
    return None
