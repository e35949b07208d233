"""The provinces and prefectures of the 2015 division, and how their names are written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.i18n import _
from matcher.reference.lookup import LookupFailure, read_rows
from matcher.text import build_index, fold, lookup, quote, quote_safe, suggest


@dataclass(frozen=True)
class Province:
    """A province, prefecture or Casablanca prefecture of arrondissements."""

    code: str
    iso: str | None
    name: str
    name_ar: str
    type: str
    region: str
    lat: float
    lon: float


def _load() -> tuple[Province, ...]:
    iso = {row["hcp_code"]: row["iso_3166_2"] for row in read_rows("provinces_iso.csv")}
    centroids = {row["code"]: row for row in read_rows("provinces_centroids.csv")}
    provinces = [
        Province(
            code=row["code"],
            iso=iso.get(row["code"]) or None,
            name=row["name_fr"],
            name_ar=row["name_ar"],
            type=row["type"],
            region=f"MA-{row['region_code']}",
            lat=float(centroids[row["code"]]["lat"]),
            lon=float(centroids[row["code"]]["lon"]),
        )
        for row in read_rows("provinces.csv")
    ]
    return tuple(sorted(provinces, key=lambda p: p.code))


PROVINCES: tuple[Province, ...] = _load()
_BY_CODE = {p.code: p for p in PROVINCES}
_BY_DIGITS = {p.code.replace(".", ""): p for p in PROVINCES}
_BY_ISO = {p.iso.removeprefix("MA-").lower(): p for p in PROVINCES if p.iso}

# Spellings seen in forms: English exonyms, transliterations without accents, and the main
# city of a prefecture whose official name joins two places.
VARIANTS: dict[str, tuple[str, ...]] = {
    "01.511": (
        "Tanger",
        "Tangier",
        "Tangiers",
        "Tanja",
        "Tangier-Assilah",
        "Asilah",
        "Assilah",
        "طنجة",
    ),
    "01.573": ("Mdiq", "M'diq", "Fnideq", "Mdiq-Fnideq", "Martil"),
    "01.571": ("Tetouan", "Tetuan", "Tétuan"),
    "01.227": ("Fahs Anjra", "Anjra"),
    "01.331": ("Ksar El Kebir", "Ksar El-Kébir", "Larrache"),
    "01.051": ("Al Hoceïma", "Alhoceima", "Hoceima", "El Hoceima"),
    "01.151": ("Chaouen", "Chefchouen", "Xauen"),
    "01.405": ("Ouazzane", "Wazzane", "Wezzane"),
    "02.411": ("Oujda", "Oujda Angad", "وجدة"),
    "02.381": ("Nadour",),
    "02.113": ("Berkan",),
    "03.231": ("Fez", "Fes", "Fès", "Fas"),
    "03.061": ("Meknes", "Mekness", "Miknas"),
    "03.171": ("Hajeb",),
    "03.591": ("Moulay Yaacoub", "Moulay Yakoub"),
    "03.451": ("Sefrou",),
    "04.441": ("Sale", "Salé"),
    "04.501": ("Temara", "Témara", "Skhirat", "Skhirate", "Skhirat-Temara"),
    "04.281": ("Kenitra",),
    "04.291": ("Khemisset", "Tiflet"),
    "05.091": ("Beni Mellal", "Beni-Mellal", "Bni Mellal"),
    "05.255": ("Fkih Ben Salah", "Fquih Ben Saleh", "Fkih Bensalah", "Souk Sebt"),
    "05.301": ("Khenifra",),
    "06.141": ("Casa", "Casablanca", "Dar El Beida", "Dar Beida", "الدار البيضاء"),
    "06.141.01.00": ("Anfa",),
    "06.141.01.10": ("Al Fida", "Mers Sultan", "Al Fida-Mers Sultan", "El Fida"),
    "06.141.01.20": ("Ain Sebaa", "Aïn Sebaâ", "Hay Mohammadi", "Ain Sebaa-Hay Mohammadi"),
    "06.141.01.30": ("Hay Hassani",),
    "06.141.01.40": ("Ain Chock", "Ain Chok", "Aïn Chok"),
    "06.141.01.50": ("Bernoussi", "Sidi Bernoussi-Zenata"),
    "06.141.01.60": ("Ben Msik", "Ben Msick"),
    "06.371": ("Mohammedia", "Mohammédia", "Fedala"),
    "06.181": ("Jadida", "El-Jadida", "Mazagan"),
    "06.385": ("Nouasser", "Bouskoura", "Dar Bouazza"),
    "06.355": ("Mediouna",),
    "06.111": ("Ben Slimane", "Ben Sliman"),
    "06.117": ("Berchid",),
    "07.351": ("Marrakesh", "Marrakech", "Marrakch", "Marrakech-Médina", "مراكش"),
    "07.041": ("Haouz", "El Haouz"),
    "07.191": (
        "El Kelaa des Sraghna",
        "Kelaa des Sraghna",
        "Kelâa des Sraghna",
        "El Kelaa",
        "Kalaat Sraghna",
        "Kelaat Sraghna",
    ),
    "07.211": ("Mogador",),
    "07.427": ("Ben Guerir", "Benguerir", "Rhamna"),
    "07.585": ("Youssoufiya", "Youssoufiyah"),
    "08.201": ("Er Rachidia", "Er-Rachidia", "Rachidia", "Ksar Es Souk"),
    "08.401": ("Warzazat", "Ouarzazat"),
    "08.577": ("Tinerhir", "Tineghir", "Tinghir"),
    "09.001": ("Agadir", "Agadir Ida Outanane", "Agadir-Ida Ou Tanane", "أكادير"),
    "09.273": ("Inezgane", "Ait Melloul", "Aït Melloul", "Inzegane"),
    "09.163": ("Chtouka", "Chtouka Ait Baha", "Biougra", "Ait Baha"),
    "09.541": ("Taroudant", "Taroudante"),
    "10.261": ("Goulimine", "Guelmime"),
    "10.071": ("Assa", "Assa Zag", "Assa-Zagora"),
    "10.521": ("Tantan", "Tan Tan"),
    "10.473": ("Ifni",),
    "11.321": ("Laayoune", "Laâyoune", "El Aaiun", "El Ayoun", "Layoune", "Laayoun"),
    "11.221": ("Smara", "Semara", "Es Semara", "Es-Smara", "Essmara"),
    "12.391": (
        "Dakhla",
        "Ad Dakhla",
        "Ed Dakhla",
        "Oued Eddahab",
        "Oued Ed Dahab",
        "Villa Cisneros",
        "الداخلة",
    ),
    "12.066": ("Awsard", "Ausserd"),
}
_PREFIX = re.compile(
    r"^(?:province|prefecture|prefecture d arrondissements|عماله|اقليم)"
    r"(?: d[eu]| d| de la| des)? "
)
_INDEX = build_index({p.code: (p.name, p.name_ar, *VARIANTS.get(p.code, ())) for p in PROVINCES})


def get_province(code: str) -> Province:
    """Return the province with this exact HCP code; raise KeyError otherwise."""
    return _BY_CODE[code]


def find_province(text: str) -> Province | None:
    """Return the province ``text`` names by name, spelling variant or code, else None."""
    key = re.sub(r"[^0-9a-z]", "", text.casefold())
    if key.isdigit():
        return _BY_DIGITS.get(key)
    found = _by_name(text)
    if found is not None:
        return found
    if len(key) == 5 and key.startswith("ma"):
        key = key[2:]
    return _BY_ISO.get(key) if len(key) == 3 else None


def _by_name(text: str) -> Province | None:
    code = lookup(_INDEX, text) or lookup(_INDEX, _PREFIX.sub("", fold(text)))
    return _BY_CODE[code] if code else None


def province_names() -> list[str]:
    """Return every accepted province spelling (names and variants), for suggestions."""
    names = [n for p in PROVINCES for n in (p.name, p.name_ar)]
    return names + [v for variants in VARIANTS.values() for v in variants]


def resolve_province(text: str) -> Province:
    """Return the province ``text`` names; raise LookupFailure with a suggestion otherwise."""
    found = find_province(text)
    if found is not None:
        return found
    near = suggest(text, province_names())
    near_province = _by_name(near) if near is not None else None
    hint = f'did you mean "{near_province.name}"?' if near_province is not None else None
    shown = quote(text) if near_province is not None else quote_safe(text)
    raise LookupFailure(_("unknown province {value}").format(value=shown), hint)
