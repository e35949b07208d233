"""The shape of manifest.json, checked before a result folder is trusted."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from matcher.errors import InputError, Problem
from matcher.i18n import _

MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 50_000_000
REQUIRED_OUTPUTS = ("pairings.csv", "unmatched.csv")
Sha256 = str  # 64 lowercase hex digits, checked by the validators below


def _check_sha(value: str) -> str:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(_("must be a SHA-256 (64 hexadecimal digits)"))
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class InputRecord(_Record):
    """One input file of the run: where it was, what it held."""

    role: Literal["developers", "partners", "config", "locks", "forbid"]
    path: str = Field(min_length=1)
    file: str = Field(min_length=1)
    sha256: Sha256
    # Where the input is seen from the result folder, so that moving both together works.
    relative: str | None = None

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: str) -> str:
        return _check_sha(value)


class OptionsRecord(_Record):
    """How the files were written."""

    bom: bool = False
    excel: bool = False
    contacts: bool = False
    redacted: bool
    headers: Literal["en", "fr"] = "en"
    # HMAC of a fixed text under the pseudonym key: tells a wrong key from the right one.
    redact_check: str | None = None


class ReadOptions(_Record):
    """How the inputs were read."""

    sheet: str | None = None
    encoding: str | None = None


class RematchRecord(BaseModel):
    """What a rematch removed (its other keys are informative)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    dropped: list[str] = Field(default_factory=list)
    all_dropped: list[str] = Field(default_factory=list)


class Manifest(BaseModel):
    """The keys every reader relies on; other keys (versions, objective…) are informative."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    tool: Literal["matcher"]
    inputs: list[InputRecord] = Field(min_length=2)
    options: OptionsRecord
    outputs: dict[str, Sha256]
    read_options: ReadOptions = Field(default_factory=ReadOptions)
    rematch: RematchRecord | None = None
    # Per output, one short digest per data row's pair, to say which rows an edit changed.
    row_digests: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [n for n in REQUIRED_OUTPUTS if n not in value]
        if missing:
            raise ValueError(_("must list {names}").format(names=", ".join(missing)))
        for digest in value.values():
            _check_sha(digest)
        return value

    @field_validator("inputs")
    @classmethod
    def _roles(cls, value: list[InputRecord]) -> list[InputRecord]:
        roles = [r.role for r in value]
        for needed in ("developers", "partners"):
            if needed not in roles:
                raise ValueError(_("has no {role} file").format(role=needed))
        if len(set(roles)) != len(roles):
            raise ValueError(_("lists a role twice"))
        return value

    def path_of(self, role: str) -> str | None:
        """Return the recorded path of the input with ``role``, if any."""
        return next((r.path for r in self.inputs if r.role == role), None)


def row_digest(developer_id: str, partner_id: str) -> str:
    """Return the short digest of one pair, as recorded per row of pairings.csv."""
    return hashlib.sha256(f"{developer_id}\x1f{partner_id}".encode()).hexdigest()[:16]


def _damaged(key: str | None, message: str) -> InputError:
    return InputError(
        _("{file} is damaged").format(file=MANIFEST_NAME),
        [
            Problem(
                MANIFEST_NAME,
                None,
                key,
                message,
                _("results must not be edited; run `matcher match` again"),
                code="bad_manifest",
            )
        ],
    )


def parse_manifest(data: bytes) -> tuple[Manifest, dict[str, Any]]:
    """Validate manifest.json's bytes; raise InputError naming the wrong key."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise _damaged(None, _("the file is far larger than any manifest matcher writes"))
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers of thousands of digits.
        raise _damaged(None, _("not valid JSON")) from None
    if not isinstance(raw, dict):
        raise _damaged(None, _("not a manifest written by matcher"))
    try:
        return Manifest.model_validate(raw), raw
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or None
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = _("this key is missing")
            problems.append(
                Problem(
                    MANIFEST_NAME,
                    None,
                    key,
                    msg,
                    _("results must not be edited; run `matcher match` again"),
                    code="bad_manifest",
                )
            )
        raise InputError(_("{file} is damaged").format(file=MANIFEST_NAME), problems) from None
