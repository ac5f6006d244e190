"""Streaming CSV for the exports the staff pages and the REST API both offer."""
import csv
import io
import re
from itertools import islice

from django.http import StreamingHttpResponse

#: What a spreadsheet takes for the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a page's text columns are joined with to be searched at once: a character no cell of an export holds (one
#: that does is only searched again, cell by cell).
_SEPARATOR = "\x1f"
#: A cell after the first one of a column joined with ``_SEPARATOR`` that starts like a formula.
_NEXT_CELL_STARTS_FORMULA = re.compile(_SEPARATOR + r"[=+\-@\t\r]")
#: What makes the ``csv`` module quote a cell (the excel dialect, ``QUOTE_MINIMAL``).
_NEEDS_QUOTES = (",", '"', "\r", "\n")


class _Echo:
    """A file-like object whose ``write`` returns what it is given, so ``csv.writer`` yields lines to stream."""

    def write(self, value):
        return value


def formula_safe(value):
    """A cell's value that a spreadsheet shows as text: a leading formula character is quoted with ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


#: How many lines a streaming response sends at a time when it is given rows (one write to the client for each).
LINES_PER_CHUNK = 500


def csv_line(row, quoting=csv.QUOTE_MINIMAL):
    """One CSV line, with no cell a spreadsheet formula."""
    return csv.writer(_Echo(), quoting=quoting).writerow([formula_safe(cell) for cell in row])


def _plain_text(page):
    """
    The CSV text of a page whose every cell ``csv.writer`` writes as it is, else None: each row has the same two or
    more cells, each column all text or all integers, no text needing quotes or starting like a formula.

    Checked a column at a time (its cells joined and searched, loops in C), and the lines joined with commas: the
    same text ``csv.writer`` gives for such a page, several times faster, for the exports of a million rows.
    """
    widths = set(map(len, page))
    if len(widths) != 1 or widths.pop() < 2:
        return None
    columns = []
    for column in zip(*page):
        try:
            text = _SEPARATOR.join(column)
        except TypeError:  # not all text: integers are written as str() writes them
            if set(map(type, column)) != {int}:
                return None
            columns.append(map(str, column))
            continue
        if (any(character in text for character in _NEEDS_QUOTES) or text.startswith(FORMULA_STARTS)
                or _NEXT_CELL_STARTS_FORMULA.search(text)):
            return None
        columns.append(column)
    return "\r\n".join(map(",".join, zip(*columns))) + "\r\n"


def csv_pages(pages):
    """
    The CSV text of ``pages`` (sequences of rows, each row a sequence of cells), a piece for each page, for
    streaming: the same text as ``csv_line`` gives line by line, no cell a spreadsheet formula. Closing the pieces
    (a response closed mid-way) closes ``pages``.

    A page of plain cells (names, keys, numbers, times: nearly every page of an export) is checked column by column and
    its lines joined (:func:`_plain_text`); any other page (a cell with a comma, a quote or a line break, or starting
    like a formula; a number that is not an integer; rows of different lengths) is written by ``csv.writer``, cell by
    cell through :func:`formula_safe`.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for page in pages:
        text = _plain_text(page)
        if text is None:
            writer.writerows([formula_safe(cell) for cell in row] for row in page)
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield text


def csv_chunks(rows, lines_per_chunk=LINES_PER_CHUNK):
    """The CSV text of ``rows`` in pieces of ``lines_per_chunk`` lines, for streaming (see :func:`csv_pages`)."""
    rows = iter(rows)
    return csv_pages(iter(lambda: list(islice(rows, lines_per_chunk)), []))


def csv_response(pieces, filename):
    """
    A streaming CSV response of ``pieces`` of CSV text (from :func:`csv_chunks` or :func:`csv_pages`): rows are written
    as they are read, so memory stays flat however many there are.
    """
    response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
