"""Readers that turn the files staff have (CSV, Excel, JSON) into validated profiles."""

from __future__ import annotations

from matcher.readers.headers import (
    DEVELOPER_COLUMNS,
    DEVELOPER_REQUIRED,
    PARTNER_COLUMNS,
    PARTNER_REQUIRED,
    map_headers,
)
from matcher.readers.profiles import read_developers, read_partners
from matcher.readers.table import EXTENSIONS, RawRow, RawTable, read_table

__all__ = [
    "DEVELOPER_COLUMNS",
    "DEVELOPER_REQUIRED",
    "EXTENSIONS",
    "PARTNER_COLUMNS",
    "PARTNER_REQUIRED",
    "RawRow",
    "RawTable",
    "map_headers",
    "read_developers",
    "read_partners",
    "read_table",
]
