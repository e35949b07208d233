"""Templates written by ``matcher init``: empty input files and a commented config."""

from __future__ import annotations

from typing import Literal

from matcher.i18n import N_, gettext_in

Lang = Literal["fr", "en"]

DEVELOPER_HEADERS: dict[Lang, list[str]] = {
    "en": [
        "id",
        "name",
        "gender",
        "region",
        "province",
        "skills",
        "languages",
        "sectors",
        "availability_hours",
        "experience_years",
        "mobility",
        "email",
        "phone",
    ],
    "fr": [
        "identifiant",
        "nom",
        "genre",
        "région",
        "province",
        "compétences",
        "langues",
        "secteurs",
        "disponibilité",
        "expérience",
        "mobilité",
        "courriel",
        "téléphone",
    ],
}
PARTNER_HEADERS: dict[Lang, list[str]] = {
    "en": [
        "id",
        "name",
        "kind",
        "sector",
        "region",
        "province",
        "needs",
        "languages",
        "availability_hours",
        "email",
        "phone",
    ],
    "fr": [
        "identifiant",
        "nom",
        "type",
        "secteur",
        "région",
        "province",
        "besoins",
        "langues",
        "disponibilité",
        "courriel",
        "téléphone",
    ],
}

# The commented matcher.toml that `matcher init` writes; its French is in the catalog, so
# that `init --lang fr` gives a file a French-speaking coordinator can read.
CONFIG_TEMPLATE = N_(
    """\
# matcher.toml: the rules of a matching run. Every key is optional: the values shown are
# the defaults. Regions may be named in any accepted spelling ("Drâa-Tafilalet", "MA-08"…);
# run `matcher regions` to see them.

[quotas]
default = 10                          # pairs wanted per region
[quotas.regions]
# "Drâa-Tafilalet" = 12               # an exact target for one region
# "MA-12" = { min = 5, max = 10 }     # or a range: at least min where possible, at most max

[mix]                                 # per region, on the partner's kind
# min_per_kind = { artisan = 2, farmer = 2, merchant = 2 }   # places reserved per kind
# max_per_kind = { merchant = 5 }                            # at most this many per kind
# min_women_share = 0.3               # share of the region's paired developers who are women

[weights]                             # relative; normalised to sum 1
skills = 0.35                         # share of the partner's needs the developer covers
languages = 0.20                      # 1 = the partner's first language, 0.5 = another one
distance = 0.20                       # 1 − km / max_distance_km
sector = 0.15                         # partner's sector among the developer's interests
availability = 0.10                   # min(hours) / max(hours)

[rules]
require_shared_language = true
min_score = 30                        # pairs scoring below are never formed
max_distance_km = 250
cross_region = "remote-only"          # never | remote-only | always
cross_region_penalty = 15             # score points taken off a cross-region pair
# A remote pair (a developer with mobility "remote" and a partner in another region) works
# remotely: it is not held to max_distance_km but to remote_max_distance_km (no limit unless
# set), and its distance criterion is remote_distance_score instead of 1 − km / max_distance_km.
# remote_max_distance_km = 1500
remote_distance_score = 0.5
# locks = "locks.csv"                 # developer_id,partner_id pairs that must be formed
# forbid = "forbid.csv"               # pairs that must never be formed

[clubs]                               # `matcher clubs`: regional clubs of pairs
size = { min = 6, max = 10 }          # pairs per club (--size overrides it)
developer_weight = 1.0                # travel = partner km + developer_weight × developer km

[priority]                            # filled first when supply is short
regions = ["Drâa-Tafilalet", "Guelmim-Oued Noun", "Laâyoune-Sakia El Hamra",
           "Dakhla-Oued Ed-Dahab", "L'Oriental"]
"""
)


def config_template(language: str) -> str:
    """Return the commented matcher.toml in ``language`` ("fr" or "en")."""
    return gettext_in(language, CONFIG_TEMPLATE)


def header_line(headers: list[str]) -> str:
    """Return a CSV header line."""
    return ",".join(headers) + "\n"
