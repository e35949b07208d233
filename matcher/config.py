"""The run configuration (``matcher.toml``): quotas, mix, weights, rules and priorities."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from matcher.errors import ConfigError, Problem
from matcher.i18n import N_, _, current_language
from matcher.models import KINDS, Kind

CrossRegion = Literal["never", "remote-only", "always"]

DEFAULT_PRIORITY = ("MA-08", "MA-10", "MA-11", "MA-12", "MA-02")

# Bounds that keep a hostile or mistyped file from exhausting the machine or the solver.
MAX_CONFIG_BYTES = 1_000_000
MAX_KEY_CHARS = 100
MAX_QUOTA = 100_000
MAX_WEIGHT = 1_000_000.0

# strict: true/false is not a number (pydantic would read true as 1).
Count = Annotated[int, Field(ge=0, le=MAX_QUOTA, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RegionRange(_Strict):
    """A region's quota as a range: at least ``min`` where possible, never more than ``max``."""

    min: int = Field(ge=0, le=MAX_QUOTA, strict=True)
    max: int = Field(ge=0, le=MAX_QUOTA, strict=True)

    @model_validator(mode="after")
    def _min_le_max(self) -> RegionRange:
        if self.min > self.max:
            raise ValueError(
                _("min ({min}) is larger than max ({max})").format(min=self.min, max=self.max)
            )
        return self


class Quotas(_Strict):
    """Pairs wanted per region."""

    default: int = Field(default=10, ge=0, le=MAX_QUOTA, strict=True)
    regions: dict[str, int | RegionRange] = Field(default_factory=dict)

    @field_validator("regions", mode="before")
    @classmethod
    def _one_error_per_region(cls, value: Any) -> Any:
        # Validating the union ourselves gives one message naming the region instead of one
        # per union member, keyed by pydantic internals ("MA-01.function-after[…]").
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for name, quota in value.items():
            if isinstance(quota, dict):
                try:
                    quota = RegionRange.model_validate(quota)
                except ValidationError as exc:
                    why = "; ".join(
                        ".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
                        if e["loc"]
                        else str(e["msg"]).removeprefix("Value error, ")
                        for e in exc.errors()
                    )
                    raise ValueError(
                        _("the quota of {name!r}: {why}").format(name=name, why=why)
                    ) from None
            elif not isinstance(quota, int) or isinstance(quota, bool):
                raise ValueError(
                    _(
                        "the quota of {name!r} must be a whole number or {{ min = …, max = … }}"
                    ).format(name=name)
                )
            elif quota > MAX_QUOTA:
                raise ValueError(
                    _("the quota of {region} is above the limit of {limit}").format(
                        region=repr(name), limit=f"{MAX_QUOTA:,}"
                    )
                )
            out[name] = quota
        return out

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, value: dict[str, int | RegionRange]) -> dict[str, int | RegionRange]:
        out: dict[str, int | RegionRange] = {}
        for name, quota in value.items():
            code = _region_code(name)
            if isinstance(quota, int) and quota < 0:
                raise ValueError(_("the quota of {name!r} must be 0 or more").format(name=name))
            if code in out:
                raise ValueError(_("region {name!r} is given twice").format(name=name))
            out[code] = quota
        return out


class Mix(_Strict):
    """Per-region composition rules."""

    min_per_kind: dict[Kind, Count] = Field(default_factory=dict)
    max_per_kind: dict[Kind, Count] = Field(default_factory=dict)
    min_women_share: float | None = Field(default=None, ge=0, le=1, strict=True)

    @field_validator("min_per_kind", "max_per_kind")
    @classmethod
    def _non_negative(cls, value: dict[Kind, int]) -> dict[Kind, int]:
        for kind, n in value.items():
            if n < 0:
                raise ValueError(_("{kind} must be 0 or more").format(kind=kind))
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Mix:
        for kind, low in self.min_per_kind.items():
            high = self.max_per_kind.get(kind)
            if high is not None and low > high:
                raise ValueError(
                    _("min_per_kind.{kind} ({low}) is above max_per_kind.{kind} ({high})").format(
                        kind=kind, low=low, high=high
                    )
                )
        return self


class Weights(_Strict):
    """Relative weights of the score criteria; normalised to sum 1."""

    skills: float = Field(default=0.35, ge=0, le=MAX_WEIGHT, strict=True)
    languages: float = Field(default=0.20, ge=0, le=MAX_WEIGHT, strict=True)
    distance: float = Field(default=0.20, ge=0, le=MAX_WEIGHT, strict=True)
    sector: float = Field(default=0.15, ge=0, le=MAX_WEIGHT, strict=True)
    availability: float = Field(default=0.10, ge=0, le=MAX_WEIGHT, strict=True)

    @model_validator(mode="after")
    def _positive_sum(self) -> Weights:
        if self.total() <= 0:
            raise ValueError(_("at least one weight must be above 0"))
        return self

    def total(self) -> float:
        """Return the sum of the weights."""
        return self.skills + self.languages + self.distance + self.sector + self.availability

    def normalised(self) -> dict[str, float]:
        """Return the weights scaled to sum 1, by criterion name."""
        t = self.total()
        return {name: float(getattr(self, name)) / t for name in CRITERIA}


CRITERIA = ("skills", "languages", "distance", "sector", "availability")


class Rules(_Strict):
    """Hard rules: pairs that break one are never formed (except locked pairs)."""

    require_shared_language: bool = Field(default=True, strict=True)
    min_score: float = Field(default=30, ge=0, le=100, strict=True)
    max_distance_km: float = Field(default=250, gt=0, le=100_000, strict=True)
    cross_region: CrossRegion = "remote-only"
    cross_region_penalty: float = Field(default=15, ge=0, le=100, strict=True)
    # A remote pair (a ``remote`` developer with a partner in another region) never meets in
    # person: it is held to this distance instead of max_distance_km (None: no limit), and
    # its distance criterion is this fixed value instead of 1 − km / max_distance_km.
    remote_max_distance_km: float | None = Field(default=None, gt=0, le=100_000, strict=True)
    remote_distance_score: float = Field(default=0.5, ge=0, le=1, strict=True)
    locks: Path | None = None
    forbid: Path | None = None


class Priority(_Strict):
    """Regions filled first when supply is short."""

    regions: tuple[str, ...] = DEFAULT_PRIORITY

    @field_validator("regions", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError(_("must be a list of region names"))
        codes: list[str] = []
        for name in value:
            if not isinstance(name, str):
                raise ValueError(_("must be a list of region names"))
            code = _region_code(name)
            if code not in codes:
                codes.append(code)
        return tuple(codes)


class ClubSize(_Strict):
    """Pairs per regional club: at least ``min``, at most ``max``."""

    min: int = Field(default=6, ge=1)
    max: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _min_le_max(self) -> ClubSize:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Clubs(_Strict):
    """How ``matcher clubs`` groups a region's pairs."""

    size: ClubSize = Field(default_factory=ClubSize)
    # A pair's travel to a seat is partner km + developer_weight × developer km.
    developer_weight: float = Field(default=1.0, ge=0)


class MatcherConfig(_Strict):
    """Everything that decides a run, with documented defaults."""

    quotas: Quotas = Field(default_factory=Quotas)
    mix: Mix = Field(default_factory=Mix)
    weights: Weights = Field(default_factory=Weights)
    rules: Rules = Field(default_factory=Rules)
    priority: Priority = Field(default_factory=Priority)
    clubs: Clubs = Field(default_factory=Clubs)

    @model_validator(mode="after")
    def _mix_fits_quotas(self) -> MatcherConfig:
        reserved = sum(self.mix.min_per_kind.values())
        from matcher.reference import REGIONS

        for region in REGIONS:
            _low, high = self.quota(region.code)
            if reserved > high:
                raise ValueError(
                    _(
                        "mix.min_per_kind reserves {reserved} places but {name} has only {high}"
                    ).format(reserved=reserved, name=region.name, high=high)
                )
        return self

    def quota(self, region_code: str) -> tuple[int, int]:
        """Return (min, max) pairs wanted in a region."""
        q = self.quotas.regions.get(region_code, self.quotas.default)
        if isinstance(q, RegionRange):
            return q.min, q.max
        return q, q

    def is_priority(self, region_code: str) -> bool:
        """Return whether the region is filled first when supply is short."""
        return region_code in self.priority.regions


def _region_code(name: str) -> str:
    from matcher.reference import LookupFailure, resolve_region

    try:
        return resolve_region(name).code
    except LookupFailure as exc:
        raise ValueError(f"{exc.message}{'; ' + exc.hint if exc.hint else ''}") from None


def _known_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _suggest_key(loc: tuple[int | str, ...]) -> str | None:
    """Suggest the closest known key for an unknown one at ``loc``."""
    model: type[BaseModel] = MatcherConfig
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    close = difflib.get_close_matches(str(loc[-1]), _known_keys(model), n=1, cutoff=0.5)
    if close:
        return _('did you mean "{name}"?').format(name=close[0])
    return _("known keys: {keys}").format(keys=", ".join(_known_keys(model)))


# pydantic's own messages, by error type, in the interface language.
_PYDANTIC_MESSAGES = {
    "greater_than_equal": N_("must be {ge} or more"),
    "greater_than": N_("must be above {gt}"),
    "less_than_equal": N_("must be {le} or less"),
    "less_than": N_("must be below {lt}"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text in quotes"),
    "literal_error": N_("must be one of {expected}"),
    "dict_type": N_("must be a table of keys and values"),
    "list_type": N_("must be a list"),
    "tuple_type": N_("must be a list"),
}


def _pydantic_message(err: Any) -> str:
    """Return a pydantic error's message in the interface language (ours pass as they are)."""
    template = _PYDANTIC_MESSAGES.get(str(err["type"]))
    # In English pydantic's own wording stands; the table only serves the other languages.
    if template is not None and current_language() != "en":
        ctx = {
            k: f"{v:g}" if isinstance(v, float) else v for k, v in (err.get("ctx") or {}).items()
        }
        try:
            return _(template).format(**ctx)
        except (KeyError, IndexError):
            pass
    return str(err["msg"]).removeprefix("Value error, ")


def config_problems(exc: ValidationError, *, file: str) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per wrong key."""
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            problems.append(
                Problem(file, None, key, _("unknown key"), _suggest_key(loc), code="unknown_key")
            )
            continue
        msg = _pydantic_message(err)
        hint = None
        if isinstance(err.get("input"), bool) and err["type"] != "bool_type":
            msg = _("true/false is not a number here")
            hint = _("write a number, e.g. {key} = 10").format(key=str(loc[-1]) if loc else key)
        elif err["type"] == "literal_error" and "cross_region" in key:
            hint = _('use "never", "remote-only" or "always"')
        elif "Kind" in msg or (loc and loc[-1] not in ("min", "max") and "kind" in key):
            hint = _("kinds are {value}").format(value=", ".join(KINDS))
        problems.append(Problem(file, None, key, msg, hint, code="bad_value"))
    return problems


def parse_config(
    data: dict[str, Any], *, file: str = "matcher.toml", base_dir: Path | None = None
) -> MatcherConfig:
    """Validate a config mapping; relative lock/forbid paths are taken from ``base_dir``."""
    try:
        config = MatcherConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            _("{file} is invalid").format(file=file), config_problems(exc, file=file)
        ) from None
    if base_dir is not None:
        rules = config.rules
        updates: dict[str, Path | None] = {}
        for name in ("locks", "forbid"):
            path = getattr(rules, name)
            if path is not None:
                updates[name] = _inside(base_dir, path, key=f"rules.{name}", file=file)
        if updates:
            config = config.model_copy(update={"rules": rules.model_copy(update=updates)})
    return config


def _inside(base_dir: Path, path: Path, *, key: str, file: str) -> Path:
    """Return ``path`` taken from ``base_dir``, refusing one that leads outside that folder.

    A config file travels with its data: one naming a file elsewhere (``../../x``) could make
    matcher read, and quote, files its author never meant to share.
    """
    full = (base_dir / path).resolve()
    if not full.is_relative_to(base_dir.resolve()):
        raise ConfigError(
            _("{file} is invalid").format(file=file),
            [
                Problem(
                    file,
                    None,
                    key,
                    _("the path leads outside the folder of {file}").format(file=file),
                    _("put the file next to {file}, or give it on the command line").format(
                        file=file
                    ),
                    code="path_outside",
                )
            ],
        )
    return base_dir / path


def _long_keys(data: object, prefix: str = "") -> list[str]:
    """Return the (shortened) dotted keys longer than MAX_KEY_CHARS, anywhere in ``data``."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            text = str(key)
            if len(text) > MAX_KEY_CHARS:
                found.append(prefix + text[:20] + "…")
            else:
                found.extend(_long_keys(value, prefix + text + "."))
    return found


def load_config(path: Path | None) -> MatcherConfig:
    """Read ``matcher.toml`` (or return the defaults when ``path`` is None)."""
    return read_config(path)[0]


def read_config(path: Path | None) -> tuple[MatcherConfig, str | None]:
    """Read ``matcher.toml`` and return it with the SHA-256 of exactly the bytes read."""
    from matcher.hashing import sha256_bytes

    if path is None:
        return MatcherConfig(), None
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError(
            _("{name} not found").format(name=path.name),
            [Problem(path.name, None, None, _("file not found"))],
        ) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            _("{file} is too large").format(file=path.name),
            [
                Problem(
                    path.name,
                    None,
                    None,
                    _("the file is larger than the limit of {limit} bytes").format(
                        limit=f"{MAX_CONFIG_BYTES:,}"
                    ),
                    _("a matcher.toml is a few lines long; start from `matcher init`"),
                    code="too_large",
                )
            ],
        )
    digest = sha256_bytes(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            _("{name} is not UTF-8").format(name=path.name),
            [
                Problem(
                    path.name, None, None, _("the file is not UTF-8 text"), _("save it as UTF-8")
                )
            ],
        ) from None
    try:
        data = tomllib.loads(text)
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _toml_error(path.name, exc) from None
        # Nesting thousands deep, or an integer of thousands of digits: no config needs either.
        raise ConfigError(
            _("{name} is not valid TOML").format(name=path.name),
            [
                Problem(
                    path.name,
                    None,
                    None,
                    _("not a usable TOML file (nested too deeply, or a number far too long)"),
                    _("a matcher.toml is a few lines long; start from `matcher init`"),
                    code="bad_toml",
                )
            ],
        ) from None
    long_keys = _long_keys(data)
    if long_keys:
        raise ConfigError(
            _("{file} is invalid").format(file=path.name),
            [
                Problem(
                    path.name,
                    None,
                    key,
                    _("the key is longer than the limit of {limit} characters").format(
                        limit=MAX_KEY_CHARS
                    ),
                    _("keys are short names such as quotas.default; see `matcher init`"),
                    code="unknown_key",
                )
                for key in long_keys
            ],
        )
    return parse_config(data, file=path.name, base_dir=path.parent), digest


def _toml_error(file: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """Return the ConfigError naming the line of a TOML syntax error."""
    found = re.search(r"\(at line (\d+)", str(exc))
    line = int(found.group(1)) if found else None
    return ConfigError(
        _("{name} is not valid TOML").format(name=file),
        [
            Problem(
                file,
                line,
                None,
                _("not valid TOML ({value})").format(value=str(exc).split(" (at")[0]),
                _("check the quotes, brackets and '=' signs on that line"),
            )
        ],
    )
