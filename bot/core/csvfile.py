"""The one CSV reader of the service (people, volunteers): UTF-8 with or without
a BOM, comma, semicolon or tab (spreadsheets in French write semicolons), the
header read case-insensitively, unknown and missing columns told before any row
is read.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

from bot.core.wording import say


def read_table(path: Path, known: Sequence[str], required: Sequence[str]
               ) -> Tuple[List[str], Iterator[Dict[str, str]], List[str]]:
    """(header, rows, errors): the rows are numbered from line 2 by the caller;
    with errors there are no rows.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], iter(()), [say("errors.file", error=error)]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    errors = [say("import.unknown_column", column=c) for c in header if c and c not in known]
    errors += [say("import.missing_column", column=c) for c in required if c not in header]
    if errors:
        return header, iter(()), errors
    return header, iter(reader), []
