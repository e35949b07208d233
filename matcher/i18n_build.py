"""Keep the French catalog in step with the code: extract, merge, compile (a developer tool).

``python -m matcher.i18n_build`` extracts every message of the package with Babel, adds the
new ones (with an empty translation) to ``matcher.po``, drops duplicates left by merges,
compiles ``matcher.mo`` and lists the messages that still lack a French translation (exit 1
when any does). ``--check`` changes nothing and only reports.
"""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from matcher.i18n import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PO_PATH = LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO_PATH = PO_PATH.with_suffix(".mo")
_HEADER = (
    "# French translations of matcher's messages.\n"
    "# New entries are appended at the end (the file merges with git's union driver);\n"
    "# `python -m matcher.i18n_build` adds missing ids, drops duplicates and compiles the .mo.\n"
)

MessageId = str | tuple[str, ...]
_FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def extract_ids(package: Path = PACKAGE) -> list[MessageId]:
    """Return every message id the package's code passes to ``_``, ``N_`` or ``ngettext``."""
    found: dict[MessageId, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        package,
        method_map=[("**.py", "python"), ("report/templates/**.j2", "jinja2")],
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        key: MessageId = message if isinstance(message, str) else tuple(message)
        if key:
            found[key] = None
    return list(found)


def read_catalog(path: Path = PO_PATH) -> Catalog:
    """Read the French catalog (when an id appears twice, as after a merge, the last wins)."""
    with path.open("rb") as handle:
        return read_po(handle, locale="fr", domain=DOMAIN)


def _translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    value = message.string
    strings = tuple(value) if isinstance(value, tuple | list) else (value or "",)
    return all(s.strip() for s in strings)


def untranslated(ids: Sequence[MessageId], catalog: Catalog) -> list[MessageId]:
    """Return the ids that have no French translation, an empty one, or a fuzzy one."""
    missing = []
    for key in ids:
        lookup = key[0] if isinstance(key, tuple) else key
        if not _translated(catalog.get(lookup)):
            missing.append(key)
    return missing


def po_bytes(catalog: Catalog) -> bytes:
    """Return the catalog as a .po file: unwrapped lines, no source locations, kept order."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, no_location=True, omit_header=True)
    header = (
        f'{_HEADER}msgid ""\nmsgstr ""\n"Project-Id-Version: matcher\\n"\n"Language: fr\\n"\n'
        '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
    )
    return header.encode("utf-8") + buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """Return the compiled catalog (fuzzy and empty translations left out)."""
    # Babel stamps the header with "now" unless told: a fixed date keeps the .mo reproducible.
    catalog.creation_date = catalog.revision_date = _FIXED_DATE
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def merge(catalog: Catalog, ids: Sequence[MessageId]) -> Catalog:
    """Add the ids the catalog lacks, with an empty translation, after the existing ones.

    Entries the code no longer uses are dropped when they have no translation; translated
    ones are kept (another branch may still use them until it is merged).
    """
    used = {key[0] if isinstance(key, tuple) else key for key in ids}
    for message in list(catalog):
        if message.id and message.id not in used and not _translated(message):
            del catalog[message.id[0] if isinstance(message.id, tuple | list) else message.id]
    for key in ids:
        lookup = key[0] if isinstance(key, tuple) else key
        if catalog.get(lookup) is None:
            catalog.add(key, ("", "") if isinstance(key, tuple) else "")
    return catalog


def main(argv: Sequence[str] | None = None) -> int:
    """Extract, merge and compile; print the ids still lacking French; 1 when any does."""
    args = list(sys.argv[1:] if argv is None else argv)
    ids = extract_ids()
    catalog = read_catalog()
    if "--check" not in args:
        merge(catalog, ids)
        PO_PATH.write_bytes(po_bytes(catalog))
        MO_PATH.write_bytes(mo_bytes(read_catalog()))
    missing = untranslated(ids, catalog)
    for key in missing:
        print(f"no French for: {key!r}")
    print(f"{len(ids)} messages, {len(missing)} without French")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
