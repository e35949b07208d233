"""Tests for the languages, skills, sectors and enum vocabularies."""

from __future__ import annotations

import pytest

from matcher.models import KINDS
from matcher.reference import LookupFailure
from matcher.vocab import (
    LANGUAGES,
    SECTORS,
    SKILLS,
    languages,
    normalise_sector,
    normalise_skill,
    resolve_gender,
    resolve_kind,
    resolve_language,
    resolve_mobility,
    sectors,
    skills,
)


def test_language_codes() -> None:
    assert list(LANGUAGES) == ["ary", "ar", "zgh", "shi", "rif", "tzm", "mey", "fr", "en", "es"]


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_language_resolves_from_its_code_and_names(code: str) -> None:
    french, english = LANGUAGES[code]
    assert resolve_language(code) == code
    assert resolve_language(code.upper()) == code
    assert resolve_language(french) == code
    assert resolve_language(english) == code
    for synonym in languages.SYNONYMS[code]:
        assert resolve_language(synonym) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("darija", "ary"),
        ("Darija", "ary"),
        ("arabe dialectal", "ary"),
        ("Arabe marocain", "ary"),
        ("الدارجة", "ary"),
        ("arabe", "ar"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("ara", "ar"),
        ("amazigh", "zgh"),
        ("Tamazight", "zgh"),
        ("الأمازيغية", "zgh"),
        ("الامازيغية", "zgh"),
        ("tachelhit", "shi"),
        ("Tashelhit", "shi"),
        ("tachelhite", "shi"),
        ("chleuh", "shi"),
        ("soussi", "shi"),
        ("tarifit", "rif"),
        ("rifain", "rif"),
        ("Riffian", "rif"),
        ("tamazight du Moyen-Atlas", "tzm"),
        ("Central Atlas Tamazight", "tzm"),
        ("braber", "tzm"),
        ("hassaniya", "mey"),
        ("Hassania", "mey"),
        ("الحسانية", "mey"),
        ("français", "fr"),
        ("Francais", "fr"),
        ("french", "fr"),
        ("fra", "fr"),
        ("fre", "fr"),
        ("anglais", "en"),
        ("English", "en"),
        ("eng", "en"),
        ("espagnol", "es"),
        ("Spanish", "es"),
        ("spa", "es"),
        ("fr-FR", "fr"),
        ("ar_MA", "ar"),
    ],
)
def test_language_names(text: str, code: str) -> None:
    assert resolve_language(text) == code


@pytest.mark.parametrize("text", ["ber", "Berbère", "berbere", "Berber"])
def test_berber_is_a_family(text: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_language(text)
    assert caught.value.message == f'"{text}" is a language family, not a language'
    assert caught.value.hint is not None
    for code in ("zgh", "shi", "rif", "tzm"):
        assert code in caught.value.hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("darijja", 'did you mean "darija" (ary)?'),
        ("Tachelhitt", 'did you mean "tachelhit" (shi)?'),
        ("klingon", "accepted codes: ary, ar, zgh, shi, rif, tzm, mey, fr, en, es"),
        ("", "accepted codes: ary, ar, zgh, shi, rif, tzm, mey, fr, en, es"),
    ],
)
def test_unknown_language(text: str, hint: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_language(text)
    assert caught.value.message == f'unknown language "{text}"'
    assert caught.value.hint == hint


REQUIRED_SKILLS = [
    "web", "e-commerce", "mobile", "payments", "logistics", "social-media", "photography",
    "design", "seo", "content", "marketplaces", "data", "video", "marketing", "branding",
    "customer-service", "translation", "accounting", "cms",
]  # fmt: skip


def test_skill_vocabulary_covers_the_product() -> None:
    assert set(REQUIRED_SKILLS) <= set(SKILLS)


@pytest.mark.parametrize("tag", list(SKILLS))
def test_every_skill_resolves_from_its_tag_label_and_synonyms(tag: str) -> None:
    assert normalise_skill(tag) == (tag, True)
    assert normalise_skill(SKILLS[tag]) == (tag, True)
    for synonym in skills.SYNONYMS.get(tag, ()):
        assert normalise_skill(synonym) == (tag, True)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("site web", "web"),
        ("Développement web", "web"),
        ("boutique en ligne", "e-commerce"),
        ("Vente en ligne", "e-commerce"),
        ("ecommerce", "e-commerce"),
        ("E-Commerce", "e-commerce"),
        ("application mobile", "mobile"),
        ("Android", "mobile"),
        ("paiement en ligne", "payments"),
        ("CMI", "payments"),
        ("livraison", "logistics"),
        ("réseaux sociaux", "social-media"),
        ("Social media", "social-media"),
        ("Facebook", "social-media"),
        ("instagram", "social-media"),
        ("photo", "photography"),
        ("graphisme", "design"),
        ("Référencement", "seo"),
        ("SEO", "seo"),
        ("rédaction", "content"),
        ("contenu", "content"),
        ("places de marché", "marketplaces"),
        ("Jumia", "marketplaces"),
        ("amazon", "marketplaces"),
        ("données", "data"),
        ("analyse de données", "data"),
        ("Excel", "data"),
        ("WordPress", "cms"),
        ("service client", "customer-service"),
    ],
)
def test_skill_synonyms(text: str, tag: str) -> None:
    assert normalise_skill(text) == (tag, True)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Impression 3D", "impression-3d"),
        ("Blockchain", "blockchain"),
        ("IA générative", "ia-generative"),
    ],
)
def test_unknown_skills_are_kept_as_slugs(text: str, slug: str) -> None:
    assert normalise_skill(text) == (slug, False)


REQUIRED_SECTORS = [
    "argan", "dates", "pottery", "leather", "carpets", "textiles", "olive-oil", "fishing",
    "saffron", "honey", "cosmetics", "woodwork", "metalwork", "jewellery", "basketry", "dairy",
    "citrus", "cereals", "spices", "almonds", "cactus", "roses", "camel", "groceries",
    "clothing", "food", "tourism",
]  # fmt: skip


def test_sector_vocabulary_covers_the_product() -> None:
    assert set(REQUIRED_SECTORS) <= set(SECTORS)


@pytest.mark.parametrize("tag", list(SECTORS))
def test_every_sector_resolves_from_its_tag_label_and_synonyms(tag: str) -> None:
    assert normalise_sector(tag) == (tag, True)
    assert normalise_sector(SECTORS[tag]) == (tag, True)
    for synonym in sectors.SYNONYMS.get(tag, ()):
        assert normalise_sector(synonym) == (tag, True)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("dattes", "dates"),
        ("Poterie", "pottery"),
        ("céramique", "pottery"),
        ("cuir", "leather"),
        ("maroquinerie", "leather"),
        ("tannerie", "leather"),
        ("tapis", "carpets"),
        ("couture", "textiles"),
        ("broderie", "textiles"),
        ("caftan", "textiles"),
        ("huile d'olive", "olive-oil"),
        ("Huile d’olive", "olive-oil"),
        ("olives", "olive-oil"),
        ("pêche", "fishing"),
        ("produits de la mer", "fishing"),
        ("poisson", "fishing"),
        ("safran", "saffron"),
        ("miel", "honey"),
        ("cosmétiques", "cosmetics"),
        ("savon beldi", "cosmetics"),
        ("bois", "woodwork"),
        ("marqueterie", "woodwork"),
        ("thuya", "woodwork"),
        ("dinanderie", "metalwork"),
        ("fer forgé", "metalwork"),
        ("bijoux", "jewellery"),
        ("vannerie", "basketry"),
        ("lait", "dairy"),
        ("fromage de chèvre", "dairy"),
        ("agrumes", "citrus"),
        ("céréales", "cereals"),
        ("épices", "spices"),
        ("amandes", "almonds"),
        ("figue de barbarie", "cactus"),
        ("rose de Kelaat M'Gouna", "roses"),
        ("eau de rose", "roses"),
        ("dromadaire", "camel"),
        ("lait de chamelle", "camel"),
        ("épicerie", "groceries"),
        ("vêtements", "clothing"),
        ("produits du terroir", "food"),
        ("tourisme", "tourism"),
    ],
)
def test_sector_synonyms(text: str, tag: str) -> None:
    assert normalise_sector(text) == (tag, True)


def test_unknown_sector_is_kept_as_a_slug() -> None:
    assert normalise_sector("Impression sur textile 3D") == ("impression-sur-textile-3d", False)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("artisan", "artisan"),
        ("Artisane", "artisan"),
        ("farmer", "farmer"),
        ("agriculteur", "farmer"),
        ("Agricultrice", "farmer"),
        ("fellah", "farmer"),
        ("paysan", "farmer"),
        ("coopérative agricole", "farmer"),
        ("merchant", "merchant"),
        ("commerçant", "merchant"),
        ("Commerçante", "merchant"),
        ("commercant", "merchant"),
        ("commerce", "merchant"),
        ("trader", "merchant"),
        ("shopkeeper", "merchant"),
        ("vendeur", "merchant"),
    ],
)
def test_resolve_kind(text: str, kind: str) -> None:
    assert resolve_kind(text) == kind
    assert resolve_kind(text) in KINDS


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("f", "female"),
        ("F", "female"),
        ("female", "female"),
        ("femme", "female"),
        ("woman", "female"),
        ("feminin", "female"),
        ("Féminin", "female"),
        ("أنثى", "female"),
        ("m", "male"),
        ("h", "male"),
        ("male", "male"),
        ("Homme", "male"),
        ("man", "male"),
        ("masculin", "male"),
        ("ذكر", "male"),
        ("other", "other"),
        ("autre", "other"),
    ],
)
def test_resolve_gender(text: str, gender: str) -> None:
    assert resolve_gender(text) == gender


@pytest.mark.parametrize(
    ("text", "mobility"),
    [
        ("local", "local"),
        ("locale", "local"),
        ("province", "local"),
        ("region", "region"),
        ("régional", "region"),
        ("regionale", "region"),
        ("Région", "region"),
        ("remote", "remote"),
        ("à distance", "remote"),
        ("distance", "remote"),
        ("national", "remote"),
        ("nationale", "remote"),
        ("télétravail", "remote"),
    ],
)
def test_resolve_mobility(text: str, mobility: str) -> None:
    assert resolve_mobility(text) == mobility


def test_unknown_kind() -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_kind("pêcheur")
    assert caught.value.message == 'unknown partner kind "pêcheur"'
    assert caught.value.hint is not None
    for value in ("artisan", "farmer", "merchant"):
        assert value in caught.value.hint


def test_unknown_gender_is_not_echoed() -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_gender("prefers-not-to-say-xyz")
    assert caught.value.message == "unknown gender"
    assert "prefers" not in str(caught.value)
    assert caught.value.hint is not None
    for value in ("female", "male", "other"):
        assert value in caught.value.hint


@pytest.mark.parametrize("text", ["partout au maroc ?", "", "sometimes"])
def test_unknown_mobility(text: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_mobility(text)
    assert caught.value.message == f'unknown mobility "{text}"'
    assert caught.value.hint is not None
    for value in ("local", "region", "remote"):
        assert value in caught.value.hint
