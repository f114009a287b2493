"""CSV downloads that spreadsheet programs open safely: UTF-8 with a byte-order mark (so Excel
reads Vietnamese), and people's text neutralised where a spreadsheet would run it as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Neutralise a spreadsheet formula in user-chosen text (CSV injection): a leading quote
    makes the cell text."""
    return "'" + value if value[:1] in _FORMULA_STARTS else value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A CSV attachment. Text cells go through `csv_safe`; numbers are written as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
