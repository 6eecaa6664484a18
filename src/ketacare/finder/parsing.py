"""Parsing text cells (CSV, JSON) into listing values, with errors that name the column."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from ketacare.domain.errors import InvalidInput
from ketacare.finder.model import Signal, SignalBasis, SignalKind, SignalStatus
from ketacare.finder.zips import normalize_zip, zip_centroid

E = TypeVar("E", bound=StrEnum)

_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})
LIST_SEPARATOR = ";"


def text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def enum_set(value: str, enum: type[E], column: str) -> frozenset[E]:
    """ "iv; im" → {Route.IV, Route.IM}; blank → empty; anything unknown → InvalidInput."""
    items = [part.strip().lower() for part in value.split(LIST_SEPARATOR) if part.strip()]
    allowed = {member.value: member for member in enum}
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise InvalidInput(
            f"{column}: unknown value {unknown[0]!r}; allowed: "
            f"{', '.join(allowed)} (separate several with ';')",
            field=column,
        )
    return frozenset(allowed[item] for item in items)


def join_enums(values: Iterable[StrEnum]) -> str:
    return f"{LIST_SEPARATOR} ".join(sorted(v.value for v in values))


def tri_state(value: str, column: str) -> bool | None:
    """yes/no/true/false/1/0 → bool; blank → None (not reported)."""
    cleaned = value.strip().lower()
    if not cleaned:
        return None
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise InvalidInput(
        f"{column}: expected yes or no (or blank for not reported), got {value.strip()!r}",
        field=column,
    )


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def coordinate(value: str, column: str, limit: float) -> float | None:
    cleaned = value.strip()
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        raise InvalidInput(
            f"{column}: expected a number in degrees, got {cleaned!r}", field=column
        ) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise InvalidInput(
            f"{column}: must be between -{limit:g} and {limit:g} degrees, got {cleaned}",
            field=column,
        )
    return number


def position(
    lat_text: str, lon_text: str, zip_code: str, approximate_text: str = ""
) -> tuple[float, float, bool]:
    """(lat, lon, approximate) from the cells, or the ZIP centroid when both are blank.

    (0, 0) counts as blank: exports use it for "no position".
    """
    lat = coordinate(lat_text, "latitude", 90.0)
    lon = coordinate(lon_text, "longitude", 180.0)
    if (lat is None) != (lon is None):
        raise InvalidInput(
            "latitude and longitude must both be given or both be blank", field="latitude"
        )
    if lat is not None and lon is not None and not (lat == 0.0 and lon == 0.0):
        approximate = tri_state(approximate_text, "coordinates_approximate")
        return lat, lon, bool(approximate)
    centroid = zip_centroid(zip_code)
    if centroid is None:
        raise InvalidInput(
            f"no coordinates given and ZIP code {zip_code} has no known position", field="zip"
        )
    return centroid[0], centroid[1], True


def zip5(value: str) -> str:
    if not value.strip():
        raise InvalidInput("zip: a ZIP code is required", field="zip")
    return normalize_zip(value)


def required(value: str, column: str) -> str:
    cleaned = text(value)
    if not cleaned:
        raise InvalidInput(f"{column}: a value is required", field=column)
    return cleaned


def state_code(value: str) -> str:
    cleaned = value.strip().upper()
    if len(cleaned) != 2 or not cleaned.isalpha():
        raise InvalidInput(
            f"state: expected a two-letter code like CA, got {value.strip()!r}", field="state"
        )
    return cleaned


def signal_cell(
    kind: SignalKind, value: str, note: str, warnings: list[str], row_number: int
) -> Signal:
    """ "present", "absent/self_reported", "" (unknown) → Signal.

    An imported file cannot verify anything: a `verified` basis becomes `self_reported` and a
    warning says so.
    """
    status_text, _, basis_text = value.strip().lower().partition("/")
    column = str(kind)
    status_text = status_text.strip() or SignalStatus.UNKNOWN.value
    try:
        status = SignalStatus(status_text)
    except ValueError:
        raise InvalidInput(
            f"{column}: expected present, absent or unknown (optionally "
            f"/self_reported or /samhsa_survey), got {value.strip()!r}",
            field=column,
        ) from None
    try:
        basis = SignalBasis(basis_text.strip() or SignalBasis.SELF_REPORTED.value)
    except ValueError:
        raise InvalidInput(
            f"{column}: unknown basis {basis_text.strip()!r}; allowed: "
            "self_reported, samhsa_survey",
            field=column,
        ) from None
    if basis is SignalBasis.VERIFIED:
        warnings.append(
            f"row {row_number}: {column} was marked verified; an imported file "
            "cannot verify a signal, so it is kept as self-reported"
        )
        basis = SignalBasis.SELF_REPORTED
    return Signal(kind, status, basis, text(note))


def signal_text(signal: Signal) -> str:
    if signal.status is SignalStatus.UNKNOWN and signal.basis is SignalBasis.SELF_REPORTED:
        return ""
    return f"{signal.status.value}/{signal.basis.value}"


def stable_id(prefix: str, *parts: str) -> str:
    key = "|".join(part.strip().lower() for part in parts)
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"
