"""Form plumbing shared by the patient, intake, screening and plan pages: the posted fields,
typed-value parsing that puts a parse error beside its field, and the 303 after success."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from ketacare.web.forms import FormState


async def posted(request: Request) -> FormData:
    """The posted form (read once; verify_csrf has usually read and cached it already)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted)]


def text(data: FormData, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def values_of(data: FormData, *multi: str) -> dict[str, str]:
    """Every posted field as typed (string); fields in `multi` (checkbox groups) joined with
    commas. The CSRF token is left out."""
    values = {k: text(data, k) for k in data if k != "csrf_token" and k not in multi}
    for name in multi:
        values[name] = ",".join(v for v in data.getlist(name) if isinstance(v, str))
    return values


def number(form: FormState, name: str, *, unit: str = "", whole: bool = False) -> float | None:
    """The field as a number (None when blank); a parse error is put beside the field."""
    raw = form.value(name).strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (whole and not value.is_integer()):
        kind = "a whole number" if whole else "a number"
        form.add(name, f"{_label(name)} must be {kind}{' in ' + unit if unit else ''}; got {raw!r}")
        return None
    return value


def whole(form: FormState, name: str) -> int | None:
    value = number(form, name, whole=True)
    return None if value is None else int(value)


def day(form: FormState, name: str, *, required: bool = False) -> date | None:
    raw = form.value(name).strip()
    if not raw:
        if required:
            form.add(name, f"{_label(name)} is required (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.add(name, f"{_label(name)} must be a date as YYYY-MM-DD; got {raw!r}")
        return None


def moment(form: FormState, name: str) -> datetime | None:
    """A `datetime-local` value, read as UTC (the clinic works in UTC on these pages)."""
    from datetime import UTC

    raw = form.value(name).strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        form.add(name, f"{_label(name)} must be a date and time; got {raw!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def checked(form: FormState, name: str) -> bool:
    return form.value(name) not in ("", "off", "false", "0")


def _label(name: str) -> str:
    return name.replace("_", " ")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
