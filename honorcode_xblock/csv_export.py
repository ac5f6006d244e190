"""Streaming CSV for the exports the staff pages and the REST API both offer."""
import csv
import io
import re
from itertools import islice

from django.http import StreamingHttpResponse

#: What a spreadsheet takes for the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell written as CSV that may start with one of them: after a comma or a line's end, bare or in quotes (a bare
#: carriage return is never a cell's start: a cell holding one is quoted). The text's very start is checked apart.
_MAYBE_FORMULA = re.compile(r'[,\n](?:"[=+\-@\t\r]|[=+\-@\t])')
_MAYBE_FORMULA_AT_START = re.compile(r'"[=+\-@\t\r]|[=+\-@\t]')


class _Echo:
    """A file-like object whose ``write`` returns what it is given, so ``csv.writer`` yields lines to stream."""

    def write(self, value):
        return value


def formula_safe(value):
    """A cell's value that a spreadsheet shows as text: a leading formula character is quoted with ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


#: How many lines a streaming response sends at a time (one write to the client for each, not one per row).
LINES_PER_CHUNK = 500


def csv_line(row, quoting=csv.QUOTE_MINIMAL):
    """One CSV line, with no cell a spreadsheet formula."""
    return csv.writer(_Echo(), quoting=quoting).writerow([formula_safe(cell) for cell in row])


def csv_chunks(rows, lines_per_chunk=LINES_PER_CHUNK):
    """
    The CSV text of ``rows`` in pieces of ``lines_per_chunk`` lines, for streaming: the same text as ``csv_line``
    gives line by line, no cell a spreadsheet formula.

    Each piece is written as it is, then searched for a cell that may start like a formula; only a piece that has
    one (rare: a name starting with "-" or "=", a negative number) is written again cell by cell with
    :func:`formula_safe`.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def text_of(batch):
        writer.writerows(batch)
        text = buffer.getvalue()
        if _MAYBE_FORMULA.search(text) or _MAYBE_FORMULA_AT_START.match(text):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([formula_safe(cell) for cell in row] for row in batch)
            text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    rows = iter(rows)
    while batch := list(islice(rows, lines_per_chunk)):
        yield text_of(batch)


def csv_response(rows, filename):
    """A streaming CSV response: rows are written as they are read, so memory stays flat however many there are."""
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
