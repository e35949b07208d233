"""Issue 9's reproductions end to end: hostile configs, tampered results, markup, privacy.

Every case asserts the exit code, the message (file, key or row, and the fix), that no
traceback and no planted personal value is printed, and that nothing is written.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from instances import config_toml, dev, par, read_csv, write_instance, write_pairs_file
from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.outputs import excel_safe

NAME, EMAIL, PHONE = "Nora Boutaleb", "nora.boutaleb@example.ma", "+212 600 21 38 35"
PLANTED = (NAME, EMAIL, PHONE, "Boutaleb")
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "MATCHER_REDACT_KEY": None}
_RUNNER = CliRunner()

DEVELOPERS = [dev("D1", name=NAME), dev("D2"), dev("D3")]
PARTNERS = [par("P1"), par("P2"), par("P3", kind="farmer")]
CONFIG = config_toml({"MA-06": 3})


def run(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    """Run the CLI; an exception escaping the error boundary fails the test."""
    res = _RUNNER.invoke(app, [str(a) for a in args], env={**ENV, **(env or {})})
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res


def expect(res: Result, code: int, *fragments: str) -> str:
    """Assert exit code, message fragments, no traceback and no planted personal value."""
    text = " ".join((res.stdout + res.stderr).split())
    assert res.exit_code == code, f"exit {res.exit_code}, wanted {code}\n{text}"
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "Traceback" not in text and "unexpected error" not in text
    for value in PLANTED:
        assert value not in text, f"{value!r} leaked:\n{text}"
    return text


@pytest.fixture
def call(tmp_path: Path) -> Path:
    """A small call for applications: three developers (one named NAME), three partners."""
    return write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, CONFIG)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------- matcher.toml bombs


CONFIG_CASES: list[tuple[str, str, Sequence[str]]] = [
    (
        "nested 10,000 deep",
        "a = " + "[" * 10_000 + "]" * 10_000 + "\n",
        ["matcher.toml", "nested too deeply, or a number far too long", "matcher init"],
    ),
    (
        "an integer of 5,000 digits",
        "[quotas]\ndefault = " + "9" * 5000 + "\n",
        ["matcher.toml", "nested too deeply, or a number far too long"],
    ),
    (
        "a quota of 2^63",
        f"[quotas]\ndefault = {2**63}\n",
        ['key "quotas.default"', "less than or equal to 100000"],
    ),
    (
        "a region quota of 2^63",
        f'[quotas.regions]\n"MA-06" = {2**63}\n',
        ['key "quotas.regions"', "is above the limit of 100,000"],
    ),
    (
        "a boolean quota",
        "[quotas]\ndefault = true\n",
        ['key "quotas.default"', "true/false is not a number here", "default = 10"],
    ),
    (
        "a boolean weight",
        "[weights]\nskills = true\n",
        ['key "weights.skills"', "true/false is not a number here"],
    ),
    (
        "a boolean min_score",
        "[rules]\nmin_score = false\n",
        ['key "rules.min_score"', "true/false is not a number here"],
    ),
    (
        "a weight of 1e308",
        "[weights]\nskills = 1e308\n",
        ['key "weights.skills"', "less than or equal to 1000000"],
    ),
    ("an infinite weight", "[weights]\nskills = inf\n", ['key "weights.skills"', "finite"]),
    ("a NaN min_score", "[rules]\nmin_score = nan\n", ['key "rules.min_score"', "finite"]),
    (
        "locks outside the config's folder",
        '[rules]\nlocks = "../../etc/passwd"\n',
        ['key "rules.locks"', "leads outside the folder of matcher.toml", "command line"],
    ),
    (
        "a 200 KB dotted key",
        "x" * 200_000 + ".y = 1\n",
        ["matcher.toml, key", "longer than the limit of 100 characters"],
    ),
]


@pytest.mark.parametrize(
    ("toml", "fragments"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES]
)
def test_hostile_config_is_refused_with_its_key(
    call: Path, toml: str, fragments: Sequence[str]
) -> None:
    (call / "matcher.toml").write_text(toml, encoding="utf-8")
    started = time.monotonic()
    res = run("validate", call, "--no-quotas")
    expect(res, 3, *fragments)
    assert time.monotonic() - started < 20


def test_locks_outside_the_folder_are_read_when_given_on_the_command_line(
    call: Path, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    locks = write_pairs_file(tmp_path / "elsewhere" / "locks.csv", [("D2", "P2")])
    res = run("match", call, "--lock", locks, "--out", tmp_path / "out")
    expect(res, 0)
    rows = read_csv(tmp_path / "out" / "pairings.csv")
    assert ("D2", "P2", "yes") in {(r["developer_id"], r["partner_id"], r["locked"]) for r in rows}


def test_a_file_that_is_no_lock_list_is_not_echoed(call: Path, tmp_path: Path) -> None:
    secret = tmp_path / "notes.csv"
    secret.write_text(f"{NAME},{EMAIL},{PHONE}\n", encoding="utf-8")
    res = run("match", call, "--lock", secret, "--dry-run")
    expect(res, 3, "notes.csv", "needs the columns developer_id and partner_id", "found 3")


# ---------------------------------------------------------------- manifests


@pytest.fixture
def result(call: Path, tmp_path: Path) -> Path:
    res = run("match", call, "--out", tmp_path / "out")
    expect(res, 0)
    return tmp_path / "out"


def _edit_manifest(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


MANIFEST_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("no outputs", lambda m: m.pop("outputs"), 'key "outputs": this key is missing'),
    (
        "outputs without pairings.csv",
        lambda m: m["outputs"].pop("pairings.csv"),
        'key "outputs": must list pairings.csv',
    ),
    ("no inputs", lambda m: m.pop("inputs"), 'key "inputs": this key is missing'),
    (
        "an input without its hash",
        lambda m: m["inputs"][0].pop("sha256"),
        'key "inputs.0.sha256": this key is missing',
    ),
    (
        "a hash that is not one",
        lambda m: m["inputs"][1].update(sha256="abc"),
        'key "inputs.1.sha256": must be a SHA-256',
    ),
    ("redacted as text", lambda m: m["options"].update(redacted="no"), 'key "options.redacted"'),
    ("another tool", lambda m: m.update(tool="other"), 'key "tool"'),
]


@pytest.mark.parametrize(
    ("edit", "fragment"), [c[1:] for c in MANIFEST_CASES], ids=[c[0] for c in MANIFEST_CASES]
)
def test_a_reshaped_manifest_names_the_wrong_key(
    result: Path, edit: Callable[[dict[str, Any]], None], fragment: str
) -> None:
    _edit_manifest(result, edit)
    for args in (["explain", result, "--developer", "D1"], ["rematch", result, "--drop", "D1"]):
        res = run(*args, "--out", result.parent / "again") if args[0] == "rematch" else run(*args)
        expect(res, 3, "manifest.json is damaged", fragment, "run `matcher match` again")
    assert not (result.parent / "again").exists()


@pytest.mark.parametrize(
    "content",
    [b"[" * 10_000 + b"]" * 10_000, b'{"tool": ' + b"9" * 5000 + b"}", b"\xff\xfe", b"[1, 2]"],
    ids=["deep", "huge integer", "not utf-8", "a list"],
)
def test_a_manifest_that_is_no_json_object_is_damaged(result: Path, content: bytes) -> None:
    (result / "manifest.json").write_bytes(content)
    expect(run("explain", result, "--developer", "D1"), 3, "manifest.json is damaged")


def test_inputs_are_recorded_by_absolute_path(
    call: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(call.parent)
    expect(run("match", "in", "--out", tmp_path / "o"), 0)
    monkeypatch.chdir(tmp_path / "o")
    inputs = json.loads((tmp_path / "o" / "manifest.json").read_text())["inputs"]
    assert all(Path(e["path"]).is_absolute() for e in inputs)
    assert {e["relative"] for e in inputs} >= {"../in/developers.csv", "../in/partners.csv"}
    expect(run("explain", tmp_path / "o", "--developer", "D1"), 0, "Developer D1 (MA-06)")


def test_a_result_moved_with_its_inputs_finds_them(result: Path, tmp_path: Path) -> None:
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.move(tmp_path, moved)
    try:
        expect(run("explain", moved / "out", "--developer", "D1"), 0, "Developer D1 (MA-06)")
    finally:
        shutil.move(moved, tmp_path)


def test_the_config_is_recorded_as_read_not_as_it_is_later(
    call: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.pipeline as pipeline

    real = pipeline.load_dataset

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        # Someone saves matcher.toml while the (large) inputs load.
        (call / "matcher.toml").write_text(CONFIG + "# edited\n", encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_dataset", slow_load)
    expect(run("match", call, "--out", tmp_path / "out"), 0)
    monkeypatch.undo()
    res = run("explain", tmp_path / "out", "--developer", "D1")
    expect(res, 3, "matcher.toml", "the config file has changed since the run")


def test_edited_pairings_say_which_rows_and_offer_lock(result: Path) -> None:
    pairings = result / "pairings.csv"
    lines = pairings.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    a, b = rows[0].split(","), rows[1].split(",")
    a[4], b[4] = b[4], a[4]  # swap two partners, as someone editing in Excel might
    pairings.write_text(header + ",".join(a) + ",".join(b) + "".join(rows[2:]), encoding="utf-8")
    res = run("explain", result, "--developer", "D1")
    expect(
        res,
        3,
        "pairings.csv: was edited after the run: row(s) 2, 3 hold pairs that are not in the "
        "result; 2 pair(s) of the result are missing",
        f"run `matcher match … --lock {pairings}`",
    )


def test_pairings_saved_again_with_the_same_pairs_say_so(result: Path) -> None:
    pairings = result / "pairings.csv"
    pairings.write_bytes(pairings.read_bytes().replace(b"\r\n", b"\n"))
    expect(
        run("explain", result, "--developer", "D1"),
        3,
        "was saved again by another program (the pairs are the same, the bytes differ)",
    )


# ---------------------------------------------------------------- the output folder


def test_out_as_a_dangling_symlink_is_refused_before_the_work(call: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    res = run("match", call, "--out", link)
    expect(res, 2, f"{link} is a symbolic link to a folder that does not exist")
    assert "Pairs per region" not in res.stdout  # refused before solving
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.EACCES, "Permission denied"),
        (errno.EROFS, "Read-only file system"),
        (errno.ENOSPC, "No space left on device"),
    ],
)
def test_an_unwritable_out_is_refused_before_the_work(
    call: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, cause: str
) -> None:
    # Root ignores permissions, so the refusal the file system would give is simulated.
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    res = run("match", call, "--out", tmp_path / "out")
    expect(res, 2, f"cannot write into {tmp_path}: {cause}", "choose another --out")
    assert "Pairs per region" not in res.stdout
    assert not (tmp_path / "out").exists()


def test_disk_full_while_writing_leaves_no_temporary_file(
    call: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    calls: list[int] = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second file does not fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "out"
    expect(run("match", call, "--out", out), 2, f"cannot write into {out}: No space left")
    assert not out.exists()  # nothing written: not even the folder it created


@pytest.mark.parametrize("step", [1, 2, 3])
def test_a_kill_at_any_rename_never_leaves_a_manifest_beside_other_files(
    result: Path, call: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    old = {n: (result / n).read_bytes() for n in listing(result)}
    (call / "developers.csv").write_text(
        (call / "developers.csv").read_text(encoding="utf-8").replace("Dev D2", "Dev D2 bis"),
        encoding="utf-8",
    )
    real_replace = os.replace
    calls: list[str] = []

    def killed(src: Any, dst: Any) -> None:
        calls.append(Path(dst).name)
        if len(calls) == step:
            raise OSError(errno.EIO, "killed")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    expect(run("match", call, "--out", result, "--force"), 2, "cannot write into")
    monkeypatch.undo()
    assert calls[-1] == ("manifest.json" if step == 3 else calls[-1])
    assert not [n for n in listing(result) if n.endswith(".tmp")]
    # The old manifest went first: what is left is refused as a whole, never half trusted.
    assert "manifest.json" not in listing(result)
    assert set(listing(result)) <= set(old)
    expect(run("explain", result, "--developer", "D1"), 2, "holds no manifest.json")


def test_files_are_synced_before_they_are_renamed(
    call: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append(Path(b).name), real_replace(a, b))[1]
    )
    expect(run("match", call, "--out", tmp_path / "out"), 0)
    renames = [e for e in events if e != "fsync"]
    assert renames == ["pairings.csv", "unmatched.csv", "manifest.json"]
    assert events[:3] == ["fsync"] * 3  # every file synced before the first rename


# ---------------------------------------------------------------- markup and paths


@pytest.mark.parametrize("ident", ["[bold]D-1", "D-9999[/]", "[red]x[/red]"])
def test_markup_in_ids_is_shown_as_typed(tmp_path: Path, ident: str) -> None:
    folder = write_instance(tmp_path / "in", [dev(ident), dev("D2")], PARTNERS, CONFIG)
    res = run("match", folder, "--dry-run")
    expect(res, 0, ident)


def test_a_path_holding_markup_is_shown_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "calls [/] [bold]2026"
    write_instance(folder, DEVELOPERS, PARTNERS, CONFIG)
    expect(run("validate", folder / "missing"), 2, f"{folder / 'missing'} is not a folder")
    res = run("match", folder, "--out", folder / "out")
    expect(res, 0, f"wrote {folder / 'out' / 'pairings.csv'}")


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("region", EMAIL, 'column "region": unknown region a value that looks like an e-mail'),
        ("region", NAME, "unknown region a value that looks like a person's name"),
        ("region", PHONE, "unknown region a value that looks like a phone number"),
        ("languages", EMAIL, "unknown language a value that looks like an e-mail address"),
        ("province", PHONE, "unknown province a value that looks like a phone number"),
    ],
)
def test_a_personal_value_in_the_wrong_column_is_described(
    tmp_path: Path, field: str, value: str, fragment: str
) -> None:
    folder = write_instance(tmp_path / "in", [dev("D1", **{field: value})], PARTNERS, CONFIG)
    expect(run("validate", folder, "--no-quotas"), 3, "developers.csv, row 2", fragment)


def test_a_file_without_header_row_does_not_echo_its_first_row(tmp_path: Path) -> None:
    folder = write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, CONFIG)
    (folder / "developers.csv").write_text(
        f"D1,{NAME},MA-06,06.141,web,ary;fr,{EMAIL},{PHONE}\n", encoding="utf-8"
    )
    expect(run("validate", folder), 3, "developers.csv", "missing required columns")


KEY = {"MATCHER_REDACT_KEY": "a-secret-key-1"}


def test_rematch_of_a_redacted_result_stays_redacted(call: Path, tmp_path: Path) -> None:
    expect(run("match", call, "--out", tmp_path / "r", "--redact", env=KEY), 0)
    res = run("rematch", tmp_path / "r", "--drop", "D2", "--out", tmp_path / "r2", env=KEY)
    expect(res, 0)
    manifest = json.loads((tmp_path / "r2" / "manifest.json").read_text())
    assert manifest["options"]["redacted"] is True
    for name in ("pairings.csv", "unmatched.csv", "changes.csv"):
        text = (tmp_path / "r2" / name).read_text(encoding="utf-8")
        assert "Dev D" not in text and "Partner P" not in text and NAME not in text
    names = {r["developer_name"] for r in read_csv(tmp_path / "r2" / "pairings.csv")}
    first = {r["developer_name"] for r in read_csv(tmp_path / "r" / "pairings.csv")}
    assert names and all(n.startswith("anon-") for n in names) and names <= first


@pytest.mark.parametrize(
    ("env", "args", "fragment"),
    [
        ({}, [], "was written with --redact, so this result must be too"),
        ({"MATCHER_REDACT_KEY": "another-key-2"}, [], "is not the key"),
        (KEY, ["--contacts"], "--contacts would reveal who is who"),
    ],
    ids=["no key", "wrong key", "contacts"],
)
def test_rematch_of_a_redacted_result_without_its_key_is_refused(
    call: Path, tmp_path: Path, env: dict[str, str], args: list[str], fragment: str
) -> None:
    expect(run("match", call, "--out", tmp_path / "r", "--redact", env=KEY), 0)
    res = run("rematch", tmp_path / "r", "--drop", "D2", "--out", tmp_path / "r2", *args, env=env)
    expect(res, 2, fragment)
    assert not (tmp_path / "r2").exists()


def test_redact_with_contacts_is_refused(call: Path, tmp_path: Path) -> None:
    res = run("match", call, "--out", tmp_path / "o", "--redact", "--contacts", env=KEY)
    expect(res, 2, "--redact and --contacts cannot be combined")
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- formula guard


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0bSUM(A1)", "'\uff0bSUM(A1)"),
        ("-D-1", "'-D-1"),
        ("-12.5", "-12.5"),
        ("D-1", "D-1"),
    ],
)
def test_formula_guard(cell: str, written: str) -> None:
    assert excel_safe(cell) == written


def test_an_id_starting_with_minus_round_trips_as_a_lock(tmp_path: Path) -> None:
    folder = write_instance(tmp_path / "in", [dev("-D1"), dev("D2")], PARTNERS, CONFIG)
    expect(run("match", folder, "--out", tmp_path / "o"), 0)
    pairings = tmp_path / "o" / "pairings.csv"
    assert "'-D1" in pairings.read_text(encoding="utf-8")
    res = run("match", folder, "--lock", pairings, "--out", tmp_path / "o2")
    expect(res, 0)
    rows = read_csv(tmp_path / "o2" / "pairings.csv")
    assert {r["developer_id"] for r in rows if r["locked"] == "yes"} >= {"'-D1"}
    expect(run("explain", tmp_path / "o2", "--developer", "-D1"), 0, "Developer -D1 (MA-06)")


# ---------------------------------------------------------------- limits at their value


def test_a_score_exactly_at_min_score_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import numpy as np
    from profiles import dev as developer
    from profiles import par as partner

    import matcher.rules as rules
    from matcher.config import MatcherConfig
    from matcher.scoring import breakdown, score_block

    exactly_90 = 100 * (0.35 + 0.20 + 0.20 + 0.075 + 0.075)
    assert exactly_90 < 90  # 89.99999999999999: the floating-point trap itself
    config = MatcherConfig.model_validate({"rules": {"min_score": 90}})
    d, p = developer(), partner()
    block = score_block(developers=[d], partners=[p], config=config)
    at_limit = dataclasses.replace(block, score=np.full(block.score.shape, exactly_90))
    masks = rules.violation_masks(block=at_limit, developers=[d], partners=[p], config=config)
    assert not masks["below_min_score"].any()
    below = dataclasses.replace(block, score=np.full(block.score.shape, 89.9999))
    masks = rules.violation_masks(block=below, developers=[d], partners=[p], config=config)
    assert masks["below_min_score"].all()

    real = breakdown(developer=d, partner=p, config=config)
    fake = dataclasses.replace(real, score=exactly_90)
    monkeypatch.setattr(rules, "breakdown", lambda **kwargs: fake)
    assert "below_min_score" not in rules.violated_rules(developer=d, partner=p, config=config)


def test_the_scoring_vocabulary_is_linear() -> None:
    from matcher.scoring import _Vocabulary

    vocab = _Vocabulary()
    assert vocab.add(["b", "a", "b", "", "c"]) == [0, 1, 2]
    assert vocab.add(["c", "d", "a"]) == [2, 3, 1]
    values = [f"t{i}" for i in range(40_000)]
    started = time.monotonic()
    cols = vocab.add(values + values)
    # A membership test on a list took minutes here (quadratic); a dict takes milliseconds.
    assert time.monotonic() - started < 2
    assert cols == list(range(4, 40_004))


# ---------------------------------------------------------------- ids and numbers as read


@pytest.mark.parametrize(
    ("second", "fragment"),
    [
        ("D-e\u0301x", 'id "D-éx" already used on row 2'),  # NFD of the same id
        ("D-\u00e9x\u200b", 'id "D-éx" already used on row 2'),  # a zero-width space after it
        ("\u2066D-\u00e9x\u2069", 'id "D-éx" already used on row 2'),  # bidi isolates around it
        ("d-\u00e9x", 'id "d-éx" differs from the id "D-éx" of row 2 only in capitals'),
    ],
    ids=["nfd", "zero-width", "bidi", "case"],
)
def test_near_duplicate_ids_are_one_person_or_an_error(
    tmp_path: Path, second: str, fragment: str
) -> None:
    folder = write_instance(tmp_path / "in", [dev("D-\u00e9x"), dev(second)], PARTNERS, CONFIG)
    expect(run("validate", folder, "--no-quotas"), 3, "developers.csv, row 3", fragment)


def test_ids_are_stored_in_nfc_without_invisible_characters(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path / "in", [dev("\u200bD-e\u0301x"), dev("D2")], [par("P-1\u200d")], CONFIG
    )
    expect(run("match", folder, "--out", tmp_path / "o"), 0)
    rows = read_csv(tmp_path / "o" / "pairings.csv") + read_csv(tmp_path / "o" / "unmatched.csv")
    ids = {r.get("developer_id") or r.get("id") for r in rows} | {r.get("partner_id") for r in rows}
    assert "D-\u00e9x" in ids and "P-1" in ids
    assert not any(i and ("\u200b" in i or "\u200d" in i or "e\u0301" in i) for i in ids)


def test_coordinates_keep_the_precision_given(tmp_path: Path) -> None:
    from matcher.dataset import load_dataset

    folder = write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, CONFIG)
    text = (folder / "developers.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",lat,lon"
    text[1:] = [line + ",33.573109,-7.589843" for line in text[1:]]
    (folder / "developers.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    dataset = load_dataset(folder / "developers.csv", folder / "partners.csv")
    assert {(d.lat, d.lon) for d in dataset.developers} == {(33.573109, -7.589843)}


def test_a_name_in_the_skills_column_is_described_and_not_kept(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path / "in", [dev("D1", skills=f"web;{NAME};{EMAIL}"), dev("D2")], PARTNERS, CONFIG
    )
    res = run("validate", folder, "--no-quotas")
    expect(
        res,
        0,
        'row 2, column "skills": a value that looks like a person\'s name is not a skill',
        "a value that looks like an e-mail address is not a skill",
    )
    assert "nora" not in res.stderr.casefold()


def test_too_many_distinct_tags_name_the_file_and_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.dataset as dataset

    monkeypatch.setattr(dataset, "MAX_DISTINCT_TAGS", 5)
    skills = ";".join(f"zz{i}" for i in range(6))
    folder = write_instance(tmp_path / "in", [dev("D1", skills=skills)], PARTNERS, CONFIG)
    expect(
        run("validate", folder, "--no-quotas"),
        3,
        "developers.csv",
        "6 distinct skills and sectors; the limit is 5",
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (EMAIL, "a value that looks like an e-mail address"),
        (PHONE, "a value that looks like a phone number"),
        ("0612345678", "a value that looks like a phone number"),
        ("ZZ007919", "a value that looks like an identity number"),
        (NAME, "a value that looks like a person's name"),
        ("Atlantis", '"Atlantis"'),
        ("MA-13", '"MA-13"'),
        ("D-00001", '"D-00001"'),
        ("06.141", '"06.141"'),
        ("web design", '"web design"'),
    ],
)
def test_quote_safe_describes_what_may_be_personal(value: str, shown: str) -> None:
    from matcher.text import quote_safe

    assert quote_safe(value) == shown


def test_a_real_full_file_system_leaves_nothing_behind(tmp_path: Path) -> None:
    """A 64 KB tmpfs: the shipped example's result (about 200 KB) cannot fit."""
    import subprocess

    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:  # not root, or no mount in this sandbox: say it loudly
        pytest.skip(
            "cannot mount a 64 KB tmpfs here (needs root): "
            + mounted.stderr.decode(errors="replace").strip()
            + "; the simulated ENOSPC tests above still run"
        )
    try:
        out = small / "out"
        example = Path(__file__).resolve().parents[1] / "examples" / "morocco"
        res = run("match", example, "--out", out)
        expect(res, 2, f"cannot write into {out}: No space left on device")
        assert sorted(p.name for p in small.iterdir()) == []  # no folder, no temporary file
    finally:
        subprocess.run(["umount", str(small)], check=False)
