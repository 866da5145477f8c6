"""A report table is data: the page renders it and the CSV export writes the same rows."""

import csv
from dataclasses import dataclass, field

from django.http import HttpResponse


@dataclass
class Table:
    slug: str  # used in ?export=<slug> and the CSV file name
    title: str
    columns: list
    rows: list = field(default_factory=list)  # each a list of display strings
    note: str = ""  # what the numbers are, n, and which data are missing


def csv_response(table, *, filename_prefix):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename_prefix}-{table.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return response


def export_if_asked(request, tables, *, filename_prefix):
    """The CSV of the table named by ?export=, built from exactly what the page shows."""
    wanted = request.GET.get("export")
    for table in tables:
        if table.slug == wanted:
            return csv_response(table, filename_prefix=filename_prefix)
    return None
