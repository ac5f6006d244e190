"""Streaming CSV for the exports the staff pages and the REST API both offer."""
import csv

from django.http import StreamingHttpResponse

#: What a spreadsheet takes for the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` returns what it is given, so ``csv.writer`` yields lines to stream."""

    def write(self, value):
        return value


def formula_safe(value):
    """A cell's value that a spreadsheet shows as text: a leading formula character is quoted with ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_line(row, quoting=csv.QUOTE_MINIMAL):
    """One CSV line, with no cell a spreadsheet formula."""
    return csv.writer(_Echo(), quoting=quoting).writerow([formula_safe(cell) for cell in row])


def csv_response(rows, filename):
    """A streaming CSV response: rows are written as they are read, so memory stays flat however many there are."""
    response = StreamingHttpResponse((csv_line(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
