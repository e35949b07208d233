"""The shipped example, and a copy of it that still falls short for the tests of shortfalls."""

from __future__ import annotations

from pathlib import Path

MOROCCO = Path(__file__).resolve().parent.parent / "examples" / "morocco"


def morocco_in_person(tmp_path: Path) -> Path:
    """Return a copy of the shipped example where remote pairs are held to 250 km too.

    That was the rule before remote pairs had their own limit: Dakhla-Oued Ed-Dahab then
    falls short (8 of 10), which the tests of shortfalls need.
    """
    folder = tmp_path / "morocco-in-person"
    folder.mkdir()
    for name in ("developers.csv", "partners.csv"):
        (folder / name).write_bytes((MOROCCO / name).read_bytes())
    toml = (MOROCCO / "matcher.toml").read_text(encoding="utf-8")
    toml = toml.replace("[rules]\n", "[rules]\nremote_max_distance_km = 250\n", 1)
    (folder / "matcher.toml").write_text(toml, encoding="utf-8")
    return folder
