"""Reading CSV files the way partners actually save them.

Spreadsheets write a UTF-8 byte-order mark, Windows line endings, or Latin-1 / Windows-1252
bytes; some exports repeat a header or leave one empty. We read all of that, and say what we
had to guess so the import report can tell the partner.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

MAX_FIELD = 100_000  # a cell larger than this is a broken file, not a description


@dataclass
class CsvFile:
    name: str
    header: list[str]  # normalised: stripped, lower case; duplicates suffixed "__2"
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, values by header)
    notes: list[str] = field(default_factory=list)


class CsvError(ValueError):
    """A file that cannot be read as CSV at all."""


def decode(data: bytes) -> tuple[str, str | None]:
    """Text, and a note when it was not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8; read as Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8; read as Latin-1"


def normalise_header(name: str) -> str:
    return "_".join(name.strip().lower().split())


def read_csv(path: Path, display_name: str | None = None) -> CsvFile:
    name = display_name or path.name
    text, note = decode(path.read_bytes())
    notes = [note] if note else []
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        raw_header = next(reader, None)
        if raw_header is None:
            raise CsvError(f"{name}: the file is empty")
        header: list[str] = []
        for column in raw_header:
            key = normalise_header(column)
            if key and key in header:
                count = sum(1 for h in header if h == key or h.startswith(f"{key}__")) + 1
                notes.append(f"column {key!r} appears more than once; kept as {key}__{count}")
                key = f"{key}__{count}"
            header.append(key)
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue  # blank lines that spreadsheets leave at the end
            padded = values + [""] * (len(header) - len(values))
            rows.append(
                (
                    number,
                    {key: value.strip() for key, value in zip(header, padded, strict=False) if key},
                )
            )
    except csv.Error as error:
        raise CsvError(f"{name}: not a readable CSV file ({error})") from error
    return CsvFile(name, header, rows, notes)
