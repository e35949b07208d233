"""matcher.errors: located problems, their wording, and the exit code of each error."""

from __future__ import annotations

import pytest

from matcher import errors
from matcher.errors import InputError, Problem, ProblemLog


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem("developers.csv", 14, "région", '"X" is unknown', 'did you mean "Y"?'),
            'developers.csv, row 14, column "région": "X" is unknown; did you mean "Y"?',
        ),
        (Problem("partners.xlsx", 3, None, "no data"), "partners.xlsx, row 3: no data"),
        (Problem(None, None, None, "nothing located"), "nothing located"),
        (
            Problem("matcher.toml", None, "rules.min_scor", "unknown key", 'did you mean "x"?'),
            'matcher.toml, key "rules.min_scor": unknown key; did you mean "x"?',
        ),
        (
            Problem("matcher.toml", 4, None, "not valid TOML"),
            "matcher.toml, line 4: not valid TOML",
        ),
    ],
)
def test_problem_wording(problem: Problem, text: str) -> None:
    assert str(problem) == text


def test_problem_to_dict_keeps_every_field() -> None:
    p = Problem("f.csv", 2, "id", "empty", "fill it", "warning", "empty")
    assert p.to_dict() == {
        "severity": "warning",
        "code": "empty",
        "file": "f.csv",
        "row": 2,
        "column": "id",
        "message": "empty",
        "hint": "fill it",
    }


def test_problem_log_raises_with_every_error_and_the_warnings() -> None:
    log = ProblemLog()
    log.warn("a.csv", 2, "skills", "unknown skill")
    log.error("a.csv", 3, "region", "unknown region")
    log.error("a.csv", 4, "id", "duplicate id")
    with pytest.raises(InputError) as caught:
        log.raise_if_errors("a.csv is invalid")
    assert [p.row for p in caught.value.problems] == [3, 4]
    assert [p.row for p in caught.value.warnings] == [2]
    assert caught.value.exit_code == 3


def test_problem_log_without_errors_does_not_raise() -> None:
    log = ProblemLog()
    log.warn("a.csv", 2, "skills", "unknown skill")
    log.raise_if_errors("never")
    assert log.errors == [] and len(log.warnings) == 1


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (errors.MatcherError, 1),
        (errors.UsageError, 2),
        (errors.InputError, 3),
        (errors.ConfigError, 3),
        (errors.StaleResultError, 3),
        (errors.ShortfallError, 4),
        (errors.OutputExistsError, 5),
    ],
)
def test_exit_codes(cls: type[errors.MatcherError], code: int) -> None:
    assert cls.exit_code == code
    assert issubclass(cls, errors.MatcherError)
