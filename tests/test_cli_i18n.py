"""Every command in French and in English: outputs, errors, exit codes, and 80 columns."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from shipped import morocco_in_person
from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.outputs import FRENCH_COLUMNS, PAIRING_COLUMNS, UNMATCHED_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"
# An 80-column terminal, and no language from the machine running the tests.
NARROW = {
    "COLUMNS": "80",
    "LINES": "200",
    "NO_COLOR": "1",
    "LANG": "C.UTF-8",
    "LC_ALL": None,
    "LC_MESSAGES": None,
    "MATCHER_LANG": None,
    "MATCHER_REDACT_KEY": None,
}

# Stands for the copy of the example that falls short (made in tmp_path by the test).
IN_PERSON = "<morocco held to 250 km>"

runner = CliRunner()


def run(
    args: Sequence[str | Path], *, lang: str | None, env: Mapping[str, str | None] | None = None
) -> Result:
    """Invoke the CLI at 80 columns, in ``lang`` (given as --lang) or as the environment says."""
    argv = [str(a) for a in args]
    if lang is not None:
        argv = ["--lang", lang, *argv]
    result = runner.invoke(app, argv, env={**NARROW, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def expect(result: Result, code: int) -> str:
    """Assert the exit code and that nothing was cut with an ellipsis; return all output."""
    out = result.stdout + result.stderr
    assert result.exit_code == code, f"exit {result.exit_code}, wanted {code}\n{out}"
    assert "…" not in out.replace("ID[,ID…]", "").replace("cp1256…", ""), out
    # Every line of the views fits the terminal (messages on stderr wrap softly).
    assert max((len(line) for line in result.stdout.splitlines()), default=0) <= 80, out
    return " ".join(out.split())


@pytest.fixture(scope="module")
def result_fr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result folder written with French column names."""
    out = tmp_path_factory.mktemp("fr") / "out"
    expect(run(["match", MOROCCO, "--out", out, "--headers", "fr"], lang="fr"), 0)
    return out


@pytest.fixture(scope="module")
def result_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result folder written with the English (code) column names."""
    out = tmp_path_factory.mktemp("en") / "out"
    expect(run(["match", MOROCCO, "--out", out], lang="en"), 0)
    return out


def first_row(path: Path) -> tuple[list[str], dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), next(reader)


# -- done means: the French preview a coordinator reads without help ------------------------


def test_french_locale_dry_run_is_a_french_preview(tmp_path: Path) -> None:
    # The copy held to 250 km for remote pairs, so that one region falls short.
    folder = morocco_in_person(tmp_path)
    text = expect(run(["match", folder, "--dry-run"], lang=None, env={"LANG": "fr_MA.UTF-8"}), 0)
    for words in (
        "Binômes par région",
        "Voulu Formés Score moyen",
        "Places non pourvues",
        "Dakhla-Oued Ed-Dahab : 10 voulus, 8 possibles — les développeurs à distance sont "
        "limités à 250 km ; autoriser les binômes à distance jusqu'à 724 km remplit 10 sur 10",
        "agriculteur",
        "commerçant",
        "darija",
        "optimal (prouvé : aucune autre répartition ne remplit plus de places ni n'obtient un "
        "meilleur score)",
        "Sans binôme : 482 développeurs, 782 partenaires.",
        "aperçu : rien n'a été écrit",
    ):
        assert words in text
    for jargon in ("bound", "Borne", "solver", "flow", "Wanted", "merchant", " ary"):
        assert jargon not in text


def test_english_dry_run_keeps_the_jargon_for_verbose() -> None:
    text = expect(run(["match", MOROCCO, "--dry-run"], lang="en"), 0)
    assert "optimal (proven: no other pairing fills more places or reaches a better score)" in text
    assert "Darija" in text and "merchant" in text
    assert "Bound" not in text
    verbose = expect(run(["match", MOROCCO, "--dry-run", "--verbose"], lang="fr"), 0)
    assert "(Borne 10608.42, écart 0.0000, méthode : milp.)" in verbose


@pytest.mark.parametrize(
    ("env", "french"),
    [
        ({"MATCHER_LANG": "fr"}, True),
        ({"LC_ALL": "fr_FR.UTF-8"}, True),
        ({"LC_MESSAGES": "fr_MA.UTF-8"}, True),
        ({"LANG": "en_US.UTF-8"}, False),
        ({"MATCHER_LANG": "en", "LANG": "fr_MA.UTF-8"}, False),
    ],
)
def test_language_from_the_environment(env: dict[str, str], french: bool) -> None:
    text = expect(run(["regions"], lang=None, env=env), 0)
    assert ("Régions du Maroc" in text) is french
    assert ("Regions of Morocco" in text) is not french


def test_lang_after_the_command_is_accepted() -> None:
    text = expect(run(["regions", "--lang", "fr"], lang=None), 0)
    assert "chef-lieu : Tanger" in text


def test_bad_lang_is_a_usage_error() -> None:
    text = expect(run(["regions"], lang="de"), 2)
    assert "« de » n'est pas une langue : indiquez fr ou en" not in text  # English session
    assert '"de" is not a language: give fr or en' in text


# -- help -----------------------------------------------------------------------------------


COMMANDS = ["validate", "regions", "init", "synth", "match", "explain", "rematch"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_in_french(command: str) -> None:
    text = expect(run([command, "--help"], lang="fr"), 0)
    assert "Utilisation :" in text and "Afficher ce message et quitter." in text
    assert "Show this message" not in text
    english = expect(run([command, "--help"], lang="en"), 0)
    assert "Usage:" in english and "Show this message and exit." in english


def test_root_help_in_french_from_the_locale() -> None:
    text = expect(run(["--help"], lang=None, env={"LANG": "fr_MA.UTF-8"}), 0)
    assert "Former des binômes développeur + partenaire" in text
    assert "Commandes" in text


# -- each command: success in both languages ------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Candidatures par région", "Art., Agri., Comm.", "tachelhit", "sont valides"]),
        ("en", ["Applications per region", "Art., Farm., Merch.", "Tachelhit", "are valid"]),
    ],
)
def test_validate_in_both_languages(lang: str, words: list[str]) -> None:
    text = expect(run(["validate", MOROCCO], lang=lang), 0)
    for word in words:
        assert word in text
    assert "MA-09 Souss-Massa" in text  # the legend of the region codes


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", ["Régions du Maroc (découpage de 2015)", "aussi :"]), ("en", ["capital: Oujda"])],
)
def test_regions_in_both_languages(lang: str, words: list[str]) -> None:
    text = expect(run(["regions"], lang=lang), 0)
    for word in words:
        assert word in text


@pytest.mark.parametrize(("lang", "wrote"), [("fr", "écrit :"), ("en", "wrote")])
def test_init_and_synth_in_both_languages(lang: str, wrote: str, tmp_path: Path) -> None:
    assert expect(run(["init", tmp_path / "t"], lang=lang), 0).startswith(wrote)
    text = expect(run(["synth", "--out", tmp_path / "s", "--developers", "5"], lang=lang), 0)
    assert text.startswith(wrote)
    again = expect(run(["init", tmp_path / "t"], lang=lang), 5)
    assert ("rien n'a été écrit" in again) is (lang == "fr")


def test_headers_fr_writes_french_columns(result_fr: Path) -> None:
    header, row = first_row(result_fr / "pairings.csv")
    assert header == [FRENCH_COLUMNS[c] for c in PAIRING_COLUMNS]
    assert header[:3] == ["code_région", "région", "id_développeur"]
    assert row["type_partenaire"] in {"artisan", "farmer", "merchant"}  # codes stay codes
    header, row = first_row(result_fr / "unmatched.csv")
    assert header == [FRENCH_COLUMNS[c] for c in UNMATCHED_COLUMNS]
    assert row["raison"] == "quota_full" and "binômes" in row["détail"]


def test_headers_en_is_the_default(result_en: Path) -> None:
    header, row = first_row(result_en / "unmatched.csv")
    assert header == UNMATCHED_COLUMNS
    assert "already has its 10 pairs" in row["detail"]


@pytest.mark.parametrize("result", ["result_fr", "result_en"])
@pytest.mark.parametrize(
    ("lang", "paired", "table"),
    [
        ("fr", "Développeur D-0563 (MA-01) est en binôme avec P-0080.", "Critère"),
        ("en", "Developer D-0563 (MA-01) is paired with P-0080.", "Criterion"),
    ],
)
def test_explain_reads_both_headers_in_both_languages(
    result: str, lang: str, paired: str, table: str, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue(result)
    text = expect(run(["explain", folder, "--developer", "D-0563"], lang=lang), 0)
    assert paired in text and table in text
    text = expect(run(["explain", folder, "--developer", "D-0002"], lang=lang), 0)
    reason = (
        "n'a pas de binôme : il restait des personnes compatibles, mais le quota de la région "
        "était atteint"
        if lang == "fr"
        else "is not paired: compatible counterparts were left, but the region's quota was full"
    )
    assert reason in text
    assert "quota_full" not in text
    pair = expect(run(["explain", folder, "--pair", "D-0002,P-0080"], lang=lang), 0)
    assert ("L'imposer" in pair or "Non autorisé" in pair) is (lang == "fr")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Changements (binômes gardés : 119)", "retiré", "D-0563 a quitté le programme"]),
        ("en", ["Changes (kept: 119)", "removed", "D-0563 dropped out"]),
    ],
)
def test_rematch_in_both_languages(
    lang: str, words: list[str], result_fr: Path, tmp_path: Path
) -> None:
    out = tmp_path / "re"
    text = expect(
        run(["rematch", result_fr, "--drop", "D-0563", "--out", out, "--headers", lang], lang=lang),
        0,
    )
    for word in words:
        assert word in text
    header, _row = first_row(out / "changes.csv")
    assert header[0] == ("changement" if lang == "fr" else "change")


def test_lock_reads_a_french_pairings_csv(result_fr: Path) -> None:
    text = expect(
        run(["match", MOROCCO, "--dry-run", "--lock", result_fr / "pairings.csv"], lang="fr"), 0
    )
    assert "120 binômes" in text


# -- each command: failures in both languages, exit codes unchanged -------------------------


@pytest.fixture
def bad_region(tmp_path: Path) -> Path:
    """The example with a pre-2015 region on row 3 of developers.csv."""
    folder = tmp_path / "bad"
    shutil.copytree(MOROCCO, folder)
    path = folder / "developers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[3] = "Souss-Massa-Drâa"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "fr",
            'erreur : developers.csv, ligne 3, colonne « region » : "Souss-Massa-Drâa" est un '
            'nom de région d\'avant 2015 ; vouliez-vous dire "Souss-Massa" ?',
        ),
        (
            "en",
            'error: developers.csv, row 3, column "region": "Souss-Massa-Drâa" is a pre-2015 '
            'region name; did you mean "Souss-Massa"?',
        ),
    ],
)
def test_input_error_names_file_row_column_and_fix(
    lang: str, message: str, bad_region: Path
) -> None:
    for command in (["validate", bad_region], ["match", bad_region, "--dry-run"]):
        assert message in expect(run(command, lang=lang), 3)


@pytest.mark.parametrize(
    ("args", "code", "fr", "en"),
    [
        (["validate", "/nonexistent"], 2, "n'est pas un dossier", "is not a folder"),
        (["match"], 2, "indiquez un dossier", "give a folder"),
        (
            ["match", IN_PERSON, "--strict", "--dry-run"],
            4,
            "1 région(s) n'atteignent pas leur quota : Dakhla-Oued Ed-Dahab",
            "1 region(s) fall short of their quota: Dakhla-Oued Ed-Dahab",
        ),
        (
            ["explain", "/nonexistent", "--developer", "D-1"],
            2,
            "ne contient pas de manifest.json",
            "holds no",
        ),
        (["match", "--bogus"], 2, "option inconnue : --bogus", "No such option: --bogus"),
        (["bogus"], 2, "commande inconnue : 'bogus'", "No such command 'bogus'"),
        (["explain"], 2, "argument manquant : 'result'", "Missing argument 'result'"),
        (["init", "x", "--lang", "de"], 2, "--lang doit valoir", '--lang must be "fr" or "en"'),
        (["match", MOROCCO, "--headers", "xx"], 2, "--headers doit valoir", "--headers must be"),
    ],
)
def test_failures_in_both_languages(
    args: list[str | Path], code: int, fr: str, en: str, tmp_path: Path
) -> None:
    args = [morocco_in_person(tmp_path) if a == IN_PERSON else a for a in args]
    assert fr in expect(run(args, lang="fr"), code)
    assert en in expect(run(args, lang="en"), code)


@pytest.mark.parametrize(("lang", "words"), [("fr", "aucun développeur"), ("en", "no developer")])
def test_explain_unknown_id(lang: str, words: str, result_en: Path) -> None:
    text = expect(run(["explain", result_en, "--developer", "D-9999"], lang=lang), 3)
    assert words in text and "D-9999" in text


@pytest.mark.parametrize(("lang", "words"), [("fr", "déjà"), ("en", "already holds")])
def test_match_refuses_to_overwrite(lang: str, words: str, result_en: Path) -> None:
    text = expect(run(["match", MOROCCO, "--out", result_en], lang=lang), 5)
    assert words in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "indiquez les identifiants des personnes parties"), ("en", "give the ids who left")],
)
def test_rematch_without_drop(lang: str, words: str, result_en: Path, tmp_path: Path) -> None:
    assert words in expect(run(["rematch", result_en, "--out", tmp_path / "x"], lang=lang), 2)


def test_the_french_readme_shows_the_real_preview() -> None:
    readme = (ROOT / "README.fr.md").read_text(encoding="utf-8")
    block = readme.split("## Lire l'aperçu", 1)[1].split("```text\n", 1)[1].split("\n```", 1)[0]
    result = run(["match", MOROCCO, "--dry-run"], lang=None, env={"LANG": "fr_MA.UTF-8"})
    expect(result, 0)
    shown = [line.rstrip() for line in result.stdout.splitlines()]
    assert block.splitlines() == shown[: len(block.splitlines())]
    assert "python -m matcher.i18n_build" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("template_lang", "comment", "absent"),
    [
        ("fr", "# binômes voulus par région", "# pairs wanted per region"),
        ("en", "# pairs wanted per region", "# binômes voulus par région"),
    ],
)
def test_init_writes_the_config_comments_in_the_template_language(
    tmp_path: Path, template_lang: str, comment: str, absent: str
) -> None:
    import tomllib

    from matcher.config import MatcherConfig, parse_config

    folder = tmp_path / "call"
    # The interface speaks English; the files follow init's own --lang.
    expect(run(["init", folder, "--lang", template_lang], lang="en"), 0)
    text = (folder / "matcher.toml").read_text(encoding="utf-8")
    assert comment in text and absent not in text
    assert parse_config(tomllib.loads(text)) == MatcherConfig()
