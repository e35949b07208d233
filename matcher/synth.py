"""A deterministic synthetic call for applications, for demos, tests and the shipped examples."""

from __future__ import annotations

import bisect
import csv
import functools
import io
import itertools
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

from matcher.errors import OutputExistsError, UsageError
from matcher.reference import PROVINCES, REGIONS, Province
from matcher.reference.lookup import read_rows
from matcher.templates import DEVELOPER_HEADERS, PARTNER_HEADERS

# The canonical English headers are the ones `matcher init --lang en` writes.
DEVELOPER_FIELDS: tuple[str, ...] = tuple(DEVELOPER_HEADERS["en"])
PARTNER_FIELDS: tuple[str, ...] = tuple(PARTNER_HEADERS["en"])
MESSY_DEVELOPER_HEADERS: tuple[str, ...] = (
    "identifiant",
    "nom",
    "CIN",
    "genre",
    "région",
    "province",
    "compétences",
    "langues",
    "secteurs",
    "disponibilité (h/semaine)",
    "expérience",
    "mobilité",
    "courriel",
    "téléphone",
)
MESSY_PARTNER_HEADERS: tuple[str, ...] = (
    "identifiant",
    "nom",
    "type",
    "secteur",
    "région",
    "province",
    "besoins",
    "langues",
    "disponibilité (h/semaine)",
    "courriel",
    "téléphone",
)
MESSY_TITLE = "Appel à candidatures 2026 — partenaires"

SKILLS: tuple[str, ...] = (
    "web",
    "e-commerce",
    "mobile",
    "payments",
    "logistics",
    "social-media",
    "photography",
    "design",
    "seo",
    "content",
    "marketplaces",
    "data",
    "video",
    "marketing",
    "branding",
    "customer-service",
    "translation",
)
SECTORS: tuple[str, ...] = (
    "argan",
    "dates",
    "pottery",
    "leather",
    "carpets",
    "textiles",
    "olive-oil",
    "fishing",
    "saffron",
    "honey",
    "cosmetics",
    "woodwork",
    "metalwork",
    "jewellery",
    "basketry",
    "dairy",
    "citrus",
    "spices",
    "almonds",
    "cactus",
    "roses",
    "camel",
    "groceries",
    "clothing",
    "food",
)
LANGUAGES: tuple[str, ...] = ("ary", "ar", "zgh", "shi", "rif", "tzm", "mey", "fr", "en", "es")

# French spellings used by write_messy, as programme staff type them.
FRENCH_SKILLS: dict[str, str] = {
    "web": "web",
    "e-commerce": "e-commerce",
    "mobile": "mobile",
    "payments": "paiement en ligne",
    "logistics": "logistique",
    "social-media": "réseaux sociaux",
    "photography": "photographie",
    "design": "design",
    "seo": "référencement",
    "content": "contenu",
    "marketplaces": "marketplaces",
    "data": "données",
    "video": "vidéo",
    "marketing": "marketing",
    "branding": "image de marque",
    "customer-service": "service client",
    "translation": "traduction",
}
FRENCH_SECTORS: dict[str, str] = {
    "argan": "argan",
    "dates": "dattes",
    "pottery": "poterie",
    "leather": "cuir",
    "carpets": "tapis",
    "textiles": "textile",
    "olive-oil": "huile d'olive",
    "fishing": "pêche",
    "saffron": "safran",
    "honey": "miel",
    "cosmetics": "cosmétiques",
    "woodwork": "bois",
    "metalwork": "ferronnerie",
    "jewellery": "bijoux",
    "basketry": "vannerie",
    "dairy": "produits laitiers",
    "citrus": "agrumes",
    "spices": "épices",
    "almonds": "amandes",
    "cactus": "figue de barbarie",
    "roses": "roses",
    "camel": "chameau",
    "groceries": "épicerie",
    "clothing": "vêtements",
    "food": "alimentation",
}
FRENCH_LANGUAGES: dict[str, str] = {
    "ary": "darija",
    "ar": "arabe",
    "zgh": "amazighe",
    "shi": "tachelhit",
    "rif": "tarifit",
    "tzm": "tamazight du Moyen Atlas",
    "mey": "hassania",
    "fr": "français",
    "en": "anglais",
    "es": "espagnol",
}
FRENCH_KINDS: dict[str, str] = {
    "artisan": "artisan",
    "farmer": "agriculteur",
    "merchant": "commerçant",
}
FRENCH_MOBILITY: dict[str, str] = {"local": "local", "region": "régional", "remote": "à distance"}
FRENCH_GENDER: dict[str, str] = {"female": "femme", "male": "homme", "": ""}

# Applications per region, scaled to the requested size: the big cities send many, the four
# southern regions few (600 developers ≈ these counts).
DEVELOPER_REGION_WEIGHTS: dict[str, float] = {
    "MA-01": 60,
    "MA-02": 35,
    "MA-03": 80,
    "MA-04": 90,
    "MA-05": 35,
    "MA-06": 130,
    "MA-07": 70,
    "MA-08": 20,
    "MA-09": 45,
    "MA-10": 12,
    "MA-11": 13,
    "MA-12": 8,
}
# Rural supply is spread more evenly (900 partners ≈ these counts).
PARTNER_REGION_WEIGHTS: dict[str, float] = {
    "MA-01": 95,
    "MA-02": 75,
    "MA-03": 100,
    "MA-04": 85,
    "MA-05": 75,
    "MA-06": 100,
    "MA-07": 100,
    "MA-08": 70,
    "MA-09": 85,
    "MA-10": 40,
    "MA-11": 38,
    "MA-12": 37,
}

REGION_SECTORS: dict[str, dict[str, float]] = {
    "MA-01": {"textiles": 3, "clothing": 3, "groceries": 3, "food": 2, "fishing": 1,
              "olive-oil": 2, "honey": 1, "leather": 1, "woodwork": 1, "basketry": 1,
              "dairy": 1, "pottery": 1, "carpets": 0.5},
    "MA-02": {"olive-oil": 3, "almonds": 1, "honey": 2, "citrus": 1, "groceries": 2,
              "clothing": 2, "food": 1, "textiles": 1, "carpets": 1, "metalwork": 0.5,
              "dairy": 1},
    "MA-03": {"pottery": 3, "leather": 3, "olive-oil": 3, "metalwork": 2, "textiles": 2,
              "woodwork": 2, "carpets": 1, "honey": 1, "dairy": 1, "groceries": 2,
              "clothing": 2, "food": 2, "cosmetics": 1, "jewellery": 1, "almonds": 0.5},
    "MA-04": {"citrus": 3, "dairy": 2, "groceries": 4, "clothing": 3, "food": 3, "textiles": 2,
              "pottery": 1, "carpets": 1, "honey": 1, "olive-oil": 1, "cosmetics": 1,
              "woodwork": 1, "jewellery": 1, "fishing": 1},
    "MA-05": {"carpets": 4, "olive-oil": 3, "dairy": 2, "honey": 2, "almonds": 1,
              "basketry": 1, "woodwork": 1, "groceries": 2, "food": 1, "clothing": 1,
              "textiles": 1},
    "MA-06": {"groceries": 5, "clothing": 5, "food": 4, "textiles": 4, "cosmetics": 2,
              "jewellery": 1, "leather": 1, "dairy": 1, "spices": 2, "woodwork": 1,
              "metalwork": 1, "pottery": 0.5},
    "MA-07": {"pottery": 3, "leather": 3, "olive-oil": 3, "argan": 2, "carpets": 2,
              "metalwork": 2, "woodwork": 2, "jewellery": 1, "cosmetics": 2, "spices": 2,
              "food": 2, "groceries": 2, "clothing": 2, "textiles": 1, "basketry": 1,
              "honey": 1, "almonds": 1},
    "MA-08": {"dates": 5, "roses": 3, "carpets": 3, "almonds": 2, "honey": 1, "pottery": 1,
              "jewellery": 1, "metalwork": 1, "groceries": 1, "food": 1, "textiles": 1},
    "MA-09": {"argan": 5, "saffron": 1, "citrus": 3, "almonds": 2, "honey": 2, "fishing": 0.5,
              "cosmetics": 2, "jewellery": 1, "groceries": 2, "clothing": 1, "food": 1,
              "basketry": 0.5, "carpets": 0.5, "cactus": 0.5},
    "MA-10": {"cactus": 4, "camel": 3, "argan": 2, "dates": 1, "leather": 1,
              "jewellery": 1, "honey": 1, "groceries": 2, "textiles": 0.5, "food": 1},
    "MA-11": {"fishing": 2, "camel": 3, "leather": 2, "jewellery": 1, "textiles": 1,
              "groceries": 2, "food": 1, "clothing": 1, "metalwork": 0.5},
    "MA-12": {"fishing": 6, "camel": 2, "groceries": 2, "food": 1, "leather": 2,
              "jewellery": 1, "textiles": 1, "clothing": 1},
}  # fmt: skip
# Local specialities added on top of the region's mix.
PROVINCE_SECTORS: dict[str, dict[str, float]] = {
    "01.511": {"fishing": 4, "clothing": 2, "textiles": 2},
    "01.051": {"fishing": 4, "honey": 1},
    "01.151": {"textiles": 2, "woodwork": 1, "honey": 1, "basketry": 1},
    "01.331": {"fishing": 2, "citrus": 2, "dairy": 2},
    "01.405": {"olive-oil": 3, "pottery": 1},
    "01.573": {"fishing": 2, "groceries": 1},
    "02.113": {"citrus": 4},
    "02.251": {"dates": 4, "carpets": 1},
    "02.381": {"fishing": 3, "clothing": 1},
    "02.411": {"groceries": 2, "clothing": 2, "textiles": 1},
    "02.265": {"olive-oil": 2},
    "02.533": {"olive-oil": 2},
    "02.167": {"olive-oil": 1, "almonds": 1},
    "03.231": {"pottery": 3, "leather": 4, "metalwork": 2, "textiles": 1},
    "03.061": {"olive-oil": 2, "food": 1, "woodwork": 1},
    "03.531": {"olive-oil": 4},
    "03.561": {"olive-oil": 2, "honey": 1},
    "03.271": {"dairy": 2, "carpets": 2, "honey": 1},
    "03.131": {"carpets": 2, "honey": 1, "almonds": 1},
    "03.451": {"olive-oil": 1, "food": 1},
    "03.171": {"olive-oil": 1, "dairy": 1},
    "04.281": {"citrus": 3, "dairy": 2, "fishing": 1},
    "04.481": {"citrus": 2, "olive-oil": 2},
    "04.491": {"citrus": 3},
    "04.441": {"pottery": 2, "basketry": 1},
    "04.421": {"carpets": 2, "clothing": 1, "jewellery": 1},
    "04.291": {"carpets": 2, "honey": 1, "olive-oil": 1},
    "05.081": {"carpets": 3, "honey": 2, "almonds": 1},
    "05.301": {"carpets": 3, "honey": 1},
    "05.091": {"olive-oil": 2, "citrus": 2, "groceries": 1},
    "05.255": {"dairy": 2, "olive-oil": 1},
    "05.311": {"groceries": 1, "clothing": 1},
    "06.181": {"fishing": 3, "dairy": 1},
    "06.461": {"dairy": 2, "honey": 1},
    "06.467": {"dairy": 2},
    "06.117": {"food": 1, "dairy": 1},
    "06.111": {"honey": 1, "dairy": 1},
    "06.371": {"fishing": 1},
    "06.141": {"fishing": 0.5},
    "07.431": {"pottery": 5, "fishing": 4},
    "07.351": {"leather": 3, "metalwork": 2, "spices": 2, "cosmetics": 2, "jewellery": 1},
    "07.211": {"argan": 4, "woodwork": 3, "fishing": 2},
    "07.041": {"olive-oil": 2, "carpets": 2, "almonds": 1, "saffron": 1},
    "07.161": {"carpets": 3, "argan": 1, "olive-oil": 1},
    "07.191": {"olive-oil": 3},
    "07.427": {"olive-oil": 1, "dairy": 1},
    "07.585": {"groceries": 1},
    "08.201": {"dates": 3, "food": 1},
    "08.587": {"dates": 3, "pottery": 2},
    "08.577": {"roses": 5},
    "08.401": {"carpets": 2, "saffron": 1, "food": 1},
    "08.363": {"carpets": 2, "food": 2},
    "09.541": {"saffron": 8, "citrus": 2, "argan": 1},
    "09.001": {"fishing": 5, "groceries": 2, "clothing": 1, "cosmetics": 1},
    "09.273": {"groceries": 2, "clothing": 2, "food": 1},
    "09.163": {"citrus": 2, "argan": 2, "food": 1},
    "09.581": {"jewellery": 4, "argan": 1, "almonds": 2, "cactus": 1},
    "09.551": {"dates": 4, "almonds": 1, "camel": 1},
    "10.473": {"cactus": 3, "fishing": 2, "argan": 1},
    "10.521": {"fishing": 3, "camel": 1},
    "10.261": {"camel": 2, "cactus": 1},
    "10.071": {"camel": 2, "dates": 1},
    "11.321": {"groceries": 1, "fishing": 3},
    "11.121": {"fishing": 5},
    "11.537": {"fishing": 4},
    "11.221": {"camel": 3, "leather": 1},
    "12.391": {"fishing": 2},
    "12.066": {"camel": 3},
}
SECTOR_KINDS: dict[str, dict[str, float]] = {
    "argan": {"farmer": 0.5, "artisan": 0.3, "merchant": 0.2},
    "dates": {"farmer": 0.8, "merchant": 0.2},
    "pottery": {"artisan": 0.85, "merchant": 0.15},
    "leather": {"artisan": 0.8, "merchant": 0.2},
    "carpets": {"artisan": 0.85, "merchant": 0.15},
    "textiles": {"artisan": 0.5, "merchant": 0.5},
    "olive-oil": {"farmer": 0.8, "merchant": 0.2},
    "fishing": {"farmer": 0.6, "merchant": 0.4},
    "saffron": {"farmer": 0.85, "merchant": 0.15},
    "honey": {"farmer": 0.9, "merchant": 0.1},
    "cosmetics": {"artisan": 0.6, "merchant": 0.4},
    "woodwork": {"artisan": 1.0},
    "metalwork": {"artisan": 1.0},
    "jewellery": {"artisan": 0.6, "merchant": 0.4},
    "basketry": {"artisan": 1.0},
    "dairy": {"farmer": 0.85, "merchant": 0.15},
    "citrus": {"farmer": 0.85, "merchant": 0.15},
    "spices": {"merchant": 0.7, "farmer": 0.3},
    "almonds": {"farmer": 0.85, "merchant": 0.15},
    "cactus": {"farmer": 0.8, "artisan": 0.2},
    "roses": {"farmer": 0.6, "artisan": 0.4},
    "camel": {"farmer": 0.85, "merchant": 0.15},
    "groceries": {"merchant": 1.0},
    "clothing": {"merchant": 0.7, "artisan": 0.3},
    "food": {"merchant": 0.6, "artisan": 0.2, "farmer": 0.2},
}
# More farmers in rural regions, more merchants in cities; artisans everywhere.
REGION_KIND_BIAS: dict[str, dict[str, float]] = {
    "MA-01": {"artisan": 1.0, "farmer": 1.0, "merchant": 1.1},
    "MA-02": {"artisan": 1.0, "farmer": 1.1, "merchant": 1.0},
    "MA-03": {"artisan": 1.2, "farmer": 1.0, "merchant": 1.0},
    "MA-04": {"artisan": 1.0, "farmer": 0.8, "merchant": 1.3},
    "MA-05": {"artisan": 1.0, "farmer": 1.3, "merchant": 0.8},
    "MA-06": {"artisan": 1.0, "farmer": 0.6, "merchant": 1.6},
    "MA-07": {"artisan": 1.2, "farmer": 1.0, "merchant": 1.0},
    "MA-08": {"artisan": 1.0, "farmer": 1.3, "merchant": 0.7},
    "MA-09": {"artisan": 1.0, "farmer": 1.2, "merchant": 0.9},
    "MA-10": {"artisan": 1.0, "farmer": 1.2, "merchant": 0.9},
    "MA-11": {"artisan": 1.0, "farmer": 1.0, "merchant": 1.1},
    "MA-12": {"artisan": 1.0, "farmer": 1.0, "merchant": 1.1},
}
URBAN_PROVINCES: frozenset[str] = frozenset(
    {"01.511", "02.411", "03.231", "03.061", "04.421", "04.441", "04.501", "06.141", "06.371",
     "07.351", "09.001", "09.273", "11.321"}
)  # fmt: skip

# Chance that someone from a province speaks each regional language (partners; developers a
# little less, since many of them grew up in town).
_REGIONAL_LANGUAGES: dict[str, dict[str, float]] = {
    "shi": {"MA-09": 0.7, "09.001": 0.55, "09.273": 0.6, "09.551": 0.6, "09.541": 0.8,
            "09.581": 0.8, "07.161": 0.5, "07.211": 0.35, "07.041": 0.45, "07.351": 0.15,
            "08.401": 0.5, "08.587": 0.25, "08.577": 0.2, "10.261": 0.3, "10.473": 0.6,
            "10.521": 0.1, "10.071": 0.15, "06.141": 0.08},
    "rif": {"01.051": 0.8, "02.381": 0.75, "02.167": 0.8, "01.151": 0.05, "02.113": 0.15,
            "02.265": 0.1, "03.561": 0.15, "01.511": 0.05},
    "tzm": {"05.301": 0.75, "05.081": 0.6, "05.091": 0.25, "05.311": 0.05, "05.255": 0.05,
            "03.271": 0.6, "03.131": 0.7, "03.171": 0.45, "03.451": 0.3, "03.061": 0.1,
            "03.561": 0.2, "03.231": 0.08, "08.201": 0.5, "08.363": 0.75, "08.577": 0.75,
            "08.401": 0.25, "08.587": 0.2, "04.291": 0.45, "07.041": 0.15, "02.251": 0.2,
            "02.275": 0.1},
    "mey": {"MA-11": 0.75, "11.321": 0.65, "MA-12": 0.7, "10.261": 0.45, "10.071": 0.75,
            "10.521": 0.65, "10.473": 0.15, "09.551": 0.15},
}  # fmt: skip
_SPANISH: dict[str, float] = {"MA-01": 0.25, "02.381": 0.25, "MA-02": 0.05, "MA-11": 0.1,
                              "MA-12": 0.12}  # fmt: skip
_TOURIST_PROVINCES: frozenset[str] = frozenset({"07.351", "03.231", "09.001", "07.211"})

# Developers come in a few profiles; each weights the skill tags it tends to list.
_SKILL_PROFILES: dict[str, tuple[float, dict[str, float]]] = {
    "web": (0.25, {"web": 5, "e-commerce": 4, "payments": 2, "seo": 2, "mobile": 1, "data": 1,
                   "design": 1}),
    "mobile": (0.12, {"mobile": 5, "web": 2, "payments": 3, "design": 2, "e-commerce": 1,
                      "data": 1}),
    "marketing": (0.2, {"social-media": 5, "marketing": 4, "content": 3, "branding": 2, "seo": 2,
                        "photography": 2, "video": 2, "design": 1}),
    "visual": (0.13, {"photography": 5, "video": 4, "design": 4, "branding": 3,
                      "social-media": 2, "content": 1}),
    "ops": (0.12, {"logistics": 5, "e-commerce": 3, "marketplaces": 4, "customer-service": 3,
                   "payments": 1, "data": 1}),
    "data": (0.08, {"data": 5, "seo": 2, "marketplaces": 2, "web": 2, "marketing": 1}),
    "content": (0.1, {"content": 4, "translation": 3, "social-media": 3, "customer-service": 2,
                      "seo": 1, "marketing": 1}),
}  # fmt: skip
_NEEDS: dict[str, dict[str, float]] = {
    "artisan": {"photography": 4, "e-commerce": 4, "social-media": 4, "marketplaces": 3,
                "design": 2, "branding": 2, "payments": 1, "logistics": 2, "translation": 1,
                "video": 1, "content": 1},
    "farmer": {"logistics": 4, "marketplaces": 4, "e-commerce": 3, "social-media": 2,
               "payments": 2, "photography": 1, "data": 1, "branding": 2,
               "customer-service": 1},
    "merchant": {"web": 4, "e-commerce": 4, "payments": 3, "social-media": 3, "seo": 2,
                 "customer-service": 2, "logistics": 2, "mobile": 2, "data": 1,
                 "marketing": 2},
}  # fmt: skip

_MALE: tuple[str, ...] = (
    "Mohamed", "Youssef", "Amine", "Omar", "Hamza", "Anas", "Mehdi", "Ayoub", "Yassine", "Karim",
    "Adil", "Rachid", "Hicham", "Said", "Brahim", "Abdellah", "Othmane", "Ilyas", "Zakaria",
    "Soufiane", "Ismail", "Reda", "Nabil", "Tarik", "Mustapha", "Hassan", "Younes", "Achraf",
    "Ayman", "Bilal", "Khalid", "Idriss", "Walid", "Marouane", "Jamal", "Hamid", "Aziz", "Badr",
    "Saad", "Imad",
)  # fmt: skip
_FEMALE: tuple[str, ...] = (
    "Fatima Zahra", "Khadija", "Salma", "Imane", "Meryem", "Hajar", "Sara", "Nora", "Aicha",
    "Zineb", "Houda", "Asmae", "Ghizlane", "Hanane", "Loubna", "Najat", "Sanae", "Souad",
    "Yasmine", "Ikram", "Oumaima", "Chaimae", "Hiba", "Kawtar", "Malak", "Nadia", "Rajae",
    "Siham", "Widad", "Latifa", "Aya", "Rim", "Soukaina", "Nisrine",
)  # fmt: skip
_AMAZIGH_MALE: tuple[str, ...] = (
    "Massinissa", "Yuba", "Aksel", "Idir", "Mbarek", "Moha", "Lahcen", "Hmad", "Brahim", "Ahmed",
)  # fmt: skip
_AMAZIGH_FEMALE: tuple[str, ...] = (
    "Tilelli", "Tanirt", "Itto", "Tudert", "Dihya", "Tafsut", "Fadma", "Ijja", "Rkia", "Mbarka",
)  # fmt: skip
_SAHRAWI_MALE: tuple[str, ...] = (
    "Mohamed Salem", "Ahmed Baba", "Sidi Ahmed", "Mahfoud", "Salek", "Lamine", "Bachir", "Hamdi",
    "Brahim",
)  # fmt: skip
_SAHRAWI_FEMALE: tuple[str, ...] = (
    "Mahjouba", "Salka", "Ghalia", "Aminatou", "Mounina", "Lalla", "Fatimetou", "Khadijetou",
)  # fmt: skip
_FAMILY: tuple[str, ...] = (
    "El Amrani", "Bennani", "Alaoui", "Tazi", "Idrissi", "Benjelloun", "Chraibi", "Berrada",
    "Naciri", "Ouahbi", "Lamrani", "Boutaleb", "El Fassi", "Benali", "Bouzidi", "El Mansouri",
    "Haddad", "Cherkaoui", "Tahiri", "Rami", "Saidi", "Ziani", "Karimi", "Belhaj", "Zerouali",
    "Moussaoui", "Hajji", "Bakkali", "Fadili", "El Ouafi", "Essaadi", "Naji", "Bensaid",
    "Filali", "Jebari", "Sebti", "Lahlou", "Guessous", "Kettani", "Sqalli", "Bennis", "Alami",
)  # fmt: skip
_AMAZIGH_FAMILY: dict[str, tuple[str, ...]] = {
    "shi": ("Aït Lahcen", "Oubella", "Amellal", "Ouchen", "Ait Benhaddou", "Id Bella", "Boufous",
            "Oukhouya", "Aït Ouarab", "Ouhmad", "Agnaou", "Aït Taleb"),
    "rif": ("Azzouzi", "Boudra", "El Ouahabi", "Amghar", "Bouhaddou", "Akouh", "Benaissa",
            "El Morabit"),
    "tzm": ("Ouchen", "Amellal", "Aït Hammou", "Oufkir", "Ouali", "Aït Said", "Amhaouch",
            "Oubaha"),
    "mey": ("Ould Sidi", "Bouh", "Ahl Salem", "Lebsir", "Ould Brahim", "Ahmed Lahbib",
            "El Maaiz", "Bouzaid"),
}  # fmt: skip
_COOP_WORDS: tuple[str, ...] = (
    "Tifawin", "Tamount", "Tafyoucht", "Tanmirt", "Tiwizi", "Tilelli", "Tagmat", "Al Amal",
    "Al Baraka", "Annour", "Al Wifaq", "Al Khir", "Assafa", "Targa", "Agharas", "Aghbalou",
    "Adrar", "Tizi", "Assif", "Tighremt", "Tamazirt", "Amnay", "Tudert", "Al Wahda", "Nakhla",
    "Azir", "Tafraout", "Izourane", "Ajddig", "Anzar",
)  # fmt: skip
_SHOP_WORDS: tuple[str, ...] = (
    "Al Baraka", "Assalam", "Annour", "Al Amal", "Atlas", "Nakhil", "Al Andalous", "Essaada",
    "Al Yasmine", "Zitouna", "Chems", "Al Fath", "Rayhane", "Al Hamra", "Majorelle", "Kenzi",
)  # fmt: skip
_REGION_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "MA-01": ("Tanjaoui", "du Nord"),
    "MA-02": ("Oujdi", "de l'Oriental"),
    "MA-03": ("Fassi", "Meknassi"),
    "MA-04": ("Rbati", "Slaoui"),
    "MA-05": ("de l'Atlas", "du Tadla"),
    "MA-06": ("Bidaoui", "Chaoui"),
    "MA-07": ("Marrakchi", "Abdi"),
    "MA-08": ("du Drâa", "du Tafilalet"),
    "MA-09": ("Soussi", "du Souss"),
    "MA-10": ("de l'Oued Noun", "Sahraoui"),
    "MA-11": ("de la Saquia", "Sahraoui"),
    "MA-12": ("de Dakhla", "Sahraoui"),
}
_SHOP_TYPES: dict[str, tuple[str, ...]] = {
    "groceries": ("Épicerie", "Hanout", "Supérette"),
    "clothing": ("Boutique", "Maison", "Confection"),
    "food": ("Traiteur", "Pâtisserie", "Saveurs"),
    "textiles": ("Tissus", "Bazar"),
    "spices": ("Épices", "Droguerie"),
    "jewellery": ("Bijouterie",),
    "cosmetics": ("Beauté", "Droguerie"),
    "leather": ("Maroquinerie",),
    "fishing": ("Poissonnerie", "Marée"),
    "dates": ("Dattes",),
}
_PLACES: dict[str, str] = {
    "01.511": "Tanger",
    "01.573": "Fnideq",
    "01.227": "Anjra",
    "02.411": "Oujda",
    "04.501": "Témara",
    "06.141": "Casablanca",
    "07.191": "El Kelâa",
    "09.001": "Agadir",
    "09.273": "Inezgane",
    "09.163": "Aït Baha",
    "10.071": "Assa",
    "11.221": "Smara",
    "12.391": "Dakhla",
}


# Random suffixes tried for a taken e-mail before counting: with 99 suffixes a name that
# collides this often is exhausted, while small calls never get this far.
_EMAIL_DRAWS = 20


@dataclass(frozen=True)
class SyntheticCall:
    """Both sides of an invented call for applications, as rows with canonical English headers."""

    developers: list[dict[str, str]]
    partners: list[dict[str, str]]


def generate(*, developers: int, partners: int, seed: int) -> SyntheticCall:
    """Invent ``developers`` and ``partners`` rows; the same arguments give the same rows."""
    if developers < 0 or partners < 0:
        raise UsageError("the numbers of developers and partners must not be negative")
    # Separate streams, so that asking for more partners leaves the developers unchanged.
    dev_rng = np.random.default_rng([seed, 1])
    partner_rng = np.random.default_rng([seed, 2])
    return SyntheticCall(
        developers=_Generator(dev_rng).developers(developers),
        partners=_Generator(partner_rng).partners(partners),
    )


def write_call(call: SyntheticCall, out: Path, *, overwrite: bool = False) -> list[Path]:
    """Write developers.csv and partners.csv (UTF-8, comma, lists joined with ";") into ``out``."""
    files = {
        out / "developers.csv": _csv_bytes(
            DEVELOPER_FIELDS, _rows(call.developers, DEVELOPER_FIELDS)
        ),
        out / "partners.csv": _csv_bytes(PARTNER_FIELDS, _rows(call.partners, PARTNER_FIELDS)),
    }
    return _write_all(files, overwrite=overwrite)


def write_messy(call: SyntheticCall, out: Path, *, overwrite: bool = False) -> list[Path]:
    """Write the call as staff send it: a cp1252 ";" CSV and an XLSX, both in French."""
    dev_rows = [_messy_developer(row) for row in call.developers]
    partner_rows = [_messy_partner(row) for row in call.partners]
    files = {
        out / "developers.csv": _csv_bytes(
            MESSY_DEVELOPER_HEADERS, dev_rows, delimiter=";", encoding="cp1252"
        ),
        out / "partners.xlsx": _xlsx_bytes(MESSY_TITLE, MESSY_PARTNER_HEADERS, partner_rows),
    }
    return _write_all(files, overwrite=overwrite)


class _Generator:
    """Draws rows from one random stream."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.emails: set[str] = set()
        self.suffixes: dict[str, int] = {}
        self.names: set[str] = set()

    # -- small draws ---------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, weights: Mapping[str, float]) -> str:
        keys = list(weights)
        return keys[self.index([weights[key] for key in keys])]

    def index(self, weights: Sequence[float]) -> int:
        # A plain cumulative walk: numpy's choice() costs more than the whole row otherwise.
        target = self.rng.random() * sum(weights)
        # The first running total above the target; accumulate adds in the same order as a
        # plain loop, so the choice is the same to the last bit.
        position = bisect.bisect_right(list(itertools.accumulate(weights)), target)
        return min(position, len(weights) - 1)

    def one(self, items: Sequence[str]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def sample(self, weights: Mapping[str, float], k: int) -> list[str]:
        pool = {key: weight for key, weight in weights.items() if weight > 0}
        chosen: list[str] = []
        while pool and len(chosen) < k:
            key = self.pick(pool)
            chosen.append(key)
            del pool[key]
        return chosen

    def count(self, weights: Sequence[float], start: int) -> int:
        return start + self.index(weights)

    # -- places --------------------------------------------------------------------------
    def regions(self, n: int, weights: Mapping[str, float]) -> list[str]:
        counts = _apportion(weights, n)
        listed = [code for code, k in counts.items() for _ in range(k)]
        return [listed[int(i)] for i in self.rng.permutation(len(listed))]

    def province(self, region: str, *, flatten: float) -> Province:
        chosen = _province(self.pick(_province_weights(region, flatten)))
        children = _children(chosen.code)
        # Some Casablanca applicants name their préfecture d'arrondissements.
        if children and self.chance(0.25):
            chosen = _province(self.pick(children))
        return chosen

    # -- people --------------------------------------------------------------------------
    def languages(self, province: Province, *, developer: bool, kind: str = "") -> list[str]:
        top = _top_level(province)
        native: list[str] = []
        scale = 0.8 if developer else 1.0
        for code, table in _REGIONAL_LANGUAGES.items():
            p = table.get(top.code, table.get(top.region, 0.0))
            if self.chance(p * scale):
                native.append(code)
        spoken: list[str] = []
        darija = 0.97 if developer else (0.85 if native else 0.995)
        if self.chance(darija) or not native:
            spoken.append("ary")
        if developer:
            french = 0.9 if top.code in URBAN_PROVINCES else 0.78
            english = 0.35
            arabic = 0.25
        else:
            french = {"merchant": 0.55, "artisan": 0.35, "farmer": 0.18}[kind]
            if top.code in URBAN_PROVINCES:
                french = min(0.9, french * 1.4)
            tourist = top.code in _TOURIST_PROVINCES and kind != "farmer"
            english = 0.2 if tourist else 0.05
            arabic = 0.2
        spanish = _SPANISH.get(top.code, _SPANISH.get(top.region, 0.0))
        spanish = min(1.0, spanish * (1.4 if developer else 1.0))
        standard = (0.15 if native else 0.03) if developer else 0.03
        extra = [
            ("ar", arabic),
            ("zgh", standard),
            ("fr", french),
            ("es", spanish),
            ("en", english),
        ]
        others = [code for code, p in extra if self.chance(p)]
        first_native = 0.4 if developer else 0.7
        if native and self.chance(first_native):
            return [*native, *spoken, *others]
        return [*spoken, *native, *others]

    def person(self, gender: str, languages: Sequence[str]) -> tuple[str, str]:
        regional = next((code for code in languages if code in _AMAZIGH_FAMILY), None)
        firsts: Sequence[str]
        female = gender == "female" or (gender == "" and self.chance(0.4))
        if regional is not None and self.chance(0.7):
            family = self.one(_AMAZIGH_FAMILY[regional])
            if regional == "mey":
                firsts = _SAHRAWI_FEMALE if female else _SAHRAWI_MALE
            else:
                firsts = _AMAZIGH_FEMALE if female else _AMAZIGH_MALE
            if self.chance(0.5):
                firsts = _FEMALE if female else _MALE
        else:
            family = self.one(_FAMILY)
            firsts = _FEMALE if female else _MALE
        return self.one(firsts), family

    def email(self, *parts: str) -> str:
        local = ".".join(p for p in (_slug(part) for part in parts) if p) or "contact"
        candidate = local
        for _ in range(_EMAIL_DRAWS):
            if candidate not in self.emails:
                break
            candidate = f"{local}{int(self.rng.integers(1, 100))}"
        else:
            # A common name at national size has used up its random suffixes: count on from
            # 100 without drawing, so that the stream (and every later row) stays the same.
            number = self.suffixes.get(local, 100)
            while f"{local}{number}" in self.emails:
                number += 1
            self.suffixes[local] = number + 1
            candidate = f"{local}{number}"
        self.emails.add(candidate)
        return f"{candidate}@example.ma"

    def phone(self) -> str:
        # 0600 numbers are not assigned to subscribers: obviously fake, still well formed.
        digits = [int(d) for d in self.rng.integers(0, 10, size=6)]
        pairs = [f"{digits[i]}{digits[i + 1]}" for i in (0, 2, 4)]
        return "+212 600 " + " ".join(pairs)

    # -- rows ----------------------------------------------------------------------------
    def developers(self, n: int) -> list[dict[str, str]]:
        width = max(4, len(str(n)))
        rows: list[dict[str, str]] = []
        for number, region in enumerate(self.regions(n, DEVELOPER_REGION_WEIGHTS), start=1):
            province = self.province(region, flatten=1.0)
            draw = self.rng.random()
            gender = "female" if draw < 0.4 else ("male" if draw < 0.98 else "")
            languages = self.languages(province, developer=True)
            first, family = self.person(gender, languages)
            profile = self.pick({name: p for name, (p, _) in _SKILL_PROFILES.items()})
            skill_weights = {tag: 0.2 + _SKILL_PROFILES[profile][1].get(tag, 0) for tag in SKILLS}
            skills = self.sample(skill_weights, self.count([0.25, 0.35, 0.25, 0.15], start=2))
            local = _sector_weights(province)
            peak = max(local.values())
            # Interests lean towards what the region produces, but anything is possible.
            sector_weights = {s: 0.3 + 2.0 * local.get(s, 0.0) / peak for s in SECTORS}
            sectors = self.sample(sector_weights, self.count([0.25, 0.3, 0.3, 0.15], start=0))
            hours = self.one(("5", "8", "10", "10", "12", "15", "15", "20", "20", "20", "25",
                              "30", "35", "40"))  # fmt: skip
            experience = self.count([10, 16, 16, 13, 10, 8, 6, 5, 4, 3, 3], start=0)
            mobility = self.pick({"region": 0.75, "remote": 0.15, "local": 0.10})
            rows.append(
                {
                    "id": f"D-{number:0{width}d}",
                    "name": f"{first} {family}",
                    "gender": gender,
                    "region": region,
                    "province": "" if self.chance(1 / 15) else province.code,
                    "skills": ";".join(skills),
                    "languages": ";".join(languages),
                    "sectors": ";".join(sectors),
                    "availability_hours": "" if self.chance(0.08) else hours,
                    "experience_years": "" if self.chance(0.03) else str(experience),
                    "mobility": mobility,
                    "email": "" if self.chance(0.02) else self.email(first, family),
                    "phone": "" if self.chance(0.03) else self.phone(),
                }
            )
        return rows

    def partners(self, n: int) -> list[dict[str, str]]:
        width = max(4, len(str(n)))
        rows: list[dict[str, str]] = []
        for number, region in enumerate(self.regions(n, PARTNER_REGION_WEIGHTS), start=1):
            # Partners live in the countryside as much as in town: flatten the population.
            province = self.province(region, flatten=0.6)
            kind, sector = self.kind_and_sector(province)
            languages = self.languages(province, developer=False, kind=kind)
            name, email_parts = self.partner_name(kind, sector, province, languages)
            needs_weights = dict(_NEEDS[kind])
            if _top_level(province).code in _TOURIST_PROVINCES:
                needs_weights["translation"] = needs_weights.get("translation", 0) + 2
            needs = self.sample(needs_weights, self.count([0.2, 0.35, 0.3, 0.15], start=1))
            hours = self.one(("4", "5", "6", "8", "8", "10", "10", "12", "15", "20", "25", "30"))
            no_email = 0.25 if kind == "farmer" else 0.1
            rows.append(
                {
                    "id": f"P-{number:0{width}d}",
                    "name": name,
                    "kind": kind,
                    "sector": sector,
                    "region": region,
                    "province": "" if self.chance(1 / 15) else province.code,
                    "needs": ";".join(needs),
                    "languages": ";".join(languages),
                    "availability_hours": "" if self.chance(0.12) else hours,
                    "email": "" if self.chance(no_email) else self.email(*email_parts),
                    "phone": "" if self.chance(0.05) else self.phone(),
                }
            )
        return rows

    def kind_and_sector(self, province: Province) -> tuple[str, str]:
        bias = dict(REGION_KIND_BIAS[province.region])
        if _top_level(province).code in URBAN_PROVINCES:
            bias["merchant"] *= 1.6
            bias["farmer"] *= 0.4
        joint = {
            f"{kind}/{sector}": weight * share * bias[kind]
            for sector, weight in _sector_weights(province).items()
            for kind, share in SECTOR_KINDS[sector].items()
        }
        kind, sector = self.pick(joint).split("/")
        return kind, sector

    def partner_name(
        self, kind: str, sector: str, province: Province, languages: Sequence[str]
    ) -> tuple[str, tuple[str, ...]]:
        place = _place(province)
        for _ in range(20):
            style = self.pick(
                {
                    "artisan": {"person": 0.5, "workshop": 0.2, "coop": 0.3},
                    "farmer": {"person": 0.6, "farm": 0.15, "coop": 0.25},
                    "merchant": {"person": 0.3, "shop": 0.7},
                }[kind]
            )
            if style == "person":
                first, family = self.person("", languages)
                name, parts = f"{first} {family}", (first, family)
            elif style == "workshop":
                family = self.person("", languages)[1]
                name, parts = f"Atelier {family}", ("atelier", family)
            elif style == "farm":
                family = self.person("", languages)[1]
                name, parts = f"Ferme {family}", ("ferme", family)
            elif style == "coop":
                word = self.one(_COOP_WORDS)
                template = self.one(("Coopérative {w}", "Coopérative féminine {w}",
                                     "Coopérative {w} de {p}"))  # fmt: skip
                if sector == "fishing":
                    template = "Coopérative de pêche {w}"
                name = template.format(w=word, p=place)
                parts = ("coop", word)
            else:
                kinds = _SHOP_TYPES.get(sector, ("Bazar", "Comptoir", "Maison"))
                if self.chance(0.4):
                    tail = self.person("", languages)[1]
                elif self.chance(0.5):
                    tail = self.one(_REGION_ADJECTIVES[province.region])
                else:
                    tail = self.one(_SHOP_WORDS)
                shop = self.one(kinds)
                name, parts = f"{shop} {tail}", (shop, tail)
            if name not in self.names:
                break
        else:
            name = f"{name} ({place})"
        self.names.add(name)
        return name, parts


def _apportion(weights: Mapping[str, float], n: int) -> dict[str, int]:
    """Split ``n`` in proportion to ``weights`` (largest remainders), one each when n allows."""
    total = sum(weights.values())
    exact = {key: n * weight / total for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(weights, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: n - sum(counts.values())]:
        counts[key] += 1
    if n >= len(weights):
        for key in weights:
            if counts[key] == 0:
                counts[max(counts, key=lambda k: counts[k])] -= 1
                counts[key] = 1
    return counts


_PROVINCES: dict[str, Province] = {p.code: p for p in PROVINCES}


@functools.cache
def _populations() -> Mapping[str, float]:
    """Return the 2024 census population of each province (HCP)."""
    return {row["code"]: float(row["population_2024"]) for row in read_rows("provinces.csv")}


def _province(code: str) -> Province:
    return _PROVINCES[code]


@functools.cache
def _children(code: str) -> Mapping[str, float]:
    """Return the préfectures d'arrondissements inside ``code``, weighted by population."""
    population = _populations()
    return {c: population.get(c, 1.0) for c in _PROVINCES if c.startswith(code + ".")}


def _top_level(province: Province) -> Province:
    """Return the province itself, or the prefecture a préfecture d'arrondissements belongs to."""
    parts = province.code.split(".")
    return _province(".".join(parts[:2])) if len(parts) > 2 else province


@functools.cache
def _province_weights(region: str, flatten: float) -> Mapping[str, float]:
    """Return the region's provinces weighted by population to the power ``flatten``."""
    population = _populations()
    return {
        p.code: population.get(p.code, 1.0) ** flatten
        for p in PROVINCES
        if p.region == region and p.code.count(".") == 1
    }


def _sector_weights(province: Province) -> Mapping[str, float]:
    return _sector_weights_at(_top_level(province).code)


@functools.cache
def _sector_weights_at(code: str) -> Mapping[str, float]:
    weights = dict(REGION_SECTORS[_province(code).region])
    for sector, extra in PROVINCE_SECTORS.get(code, {}).items():
        weights[sector] = weights.get(sector, 0.0) + extra
    return weights


def _place(province: Province) -> str:
    top = _top_level(province)
    return _PLACES.get(top.code, top.name)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _rows(rows: Sequence[Mapping[str, str]], fields: Sequence[str]) -> list[list[str]]:
    return [[row.get(field, "") for field in fields] for row in rows]


def _french_list(cell: str, table: Mapping[str, str]) -> str:
    return "|".join(table.get(item, item) for item in cell.split(";") if item)


def _region_name(code: str) -> str:
    return next(r.name for r in REGIONS if r.code == code)


def _province_name(code: str) -> str:
    return _province(code).name if code else ""


def _local_phone(phone: str) -> str:
    """Return "+212 600 12 34 56" as written locally: "06 00 12 34 56"."""
    if not phone:
        return ""
    digits = "0" + phone.removeprefix("+212").replace(" ", "")
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def _fake_cin(row_id: str) -> str:
    # Derived from the id so the column is stable; the "ZZ" prefix is not issued by the DGSN.
    digits = "".join(ch for ch in row_id if ch.isdigit())
    return f"ZZ{int(digits) * 7919 % 1_000_000:06d}"


def _messy_developer(row: Mapping[str, str]) -> list[str]:
    return [
        row["id"],
        row["name"],
        _fake_cin(row["id"]),
        FRENCH_GENDER.get(row["gender"], row["gender"]),
        _region_name(row["region"]),
        _province_name(row["province"]),
        _french_list(row["skills"], FRENCH_SKILLS),
        _french_list(row["languages"], FRENCH_LANGUAGES),
        _french_list(row["sectors"], FRENCH_SECTORS),
        row["availability_hours"],
        row["experience_years"],
        FRENCH_MOBILITY.get(row["mobility"], row["mobility"]),
        row["email"],
        _local_phone(row["phone"]),
    ]


def _messy_partner(row: Mapping[str, str]) -> list[str | int | None]:
    hours = row["availability_hours"]
    return [
        row["id"],
        row["name"],
        FRENCH_KINDS.get(row["kind"], row["kind"]),
        FRENCH_SECTORS.get(row["sector"], row["sector"]),
        _region_name(row["region"]),
        _province_name(row["province"]) or None,
        _french_list(row["needs"], FRENCH_SKILLS) or None,
        _french_list(row["languages"], FRENCH_LANGUAGES),
        int(hours) if hours else None,
        row["email"] or None,
        _local_phone(row["phone"]) or None,
    ]


def _csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_FIXED_STAMP = "2026-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Partenaires"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(header))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for letter, width in zip("ABCDEFGHIJK", (10, 34, 13, 18, 26, 22, 40, 30, 12, 34, 16),
                             strict=True):  # fmt: skip
        sheet.column_dimensions[letter].width = width
    workbook.properties.creator = "matcher"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Return the archive with fixed timestamps, so equal content gives equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(
                    lambda m: m.group(1) + _FIXED_STAMP.encode() + m.group(3), content
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _write_all(files: Mapping[Path, bytes], *, overwrite: bool) -> list[Path]:
    existing = [path for path in files if path.exists()]
    if existing and not overwrite:
        names = ", ".join(str(path) for path in existing)
        raise OutputExistsError(
            f"{names} already exist(s); nothing was written (use --force to replace them)"
        )
    written: list[Path] = []
    for path, data in files.items():
        _write_atomic(path, data)
        written.append(path)
    return written


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private; these rows are invented, so use ordinary permissions.
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
