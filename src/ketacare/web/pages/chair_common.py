"""Shared plumbing of the pages at the chair (board, flowsheet, schedule): reading a posted
form as typed, turning typed text into numbers and clinic-time moments (errors land beside the
field), and how a session's state is shown (text + colour, never colour alone)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from starlette.datastructures import FormData

from ketacare.domain.session_flow import SessionStatus
from ketacare.web.forms import FormState
from ketacare.web.templating import route_label


async def read_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]

# (label, css modifier, symbol): the symbol repeats the state for anyone not seeing colour.
STATUS = {
    SessionStatus.SCHEDULED: ("Scheduled", "scheduled", "○"),
    SessionStatus.CHECKED_IN: ("Checked in", "checked-in", "◐"),
    SessionStatus.PRE_DOSE_CHECK: ("Pre-dose check", "predose", "◑"),
    SessionStatus.DOSING: ("Dosing", "dosing", "●"),
    SessionStatus.MONITORING: ("Monitoring", "monitoring", "◉"),
    SessionStatus.RECOVERY: ("Recovery", "recovery", "◎"),
    SessionStatus.DISCHARGED: ("Discharged", "discharged", "✓"),
    SessionStatus.STOPPED: ("Stopped", "stopped", "■"),
    SessionStatus.NO_SHOW: ("No-show", "no-show", "–"),
    SessionStatus.CANCELLED: ("Cancelled", "cancelled", "×"),
}


def status_view(status: SessionStatus) -> dict[str, str]:
    label, css, symbol = STATUS[status]
    return {"label": label, "css": css, "symbol": symbol}


def hm(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as HH:MM clinic time ('' for None)."""
    return moment.astimezone(zone).strftime("%H:%M") if moment else ""


def number(
    form: FormState, name: str, label: str, *, required: bool = True, whole: bool = False
) -> float | None:
    """The typed value of `name` as a number (None when blank and not required); a problem is
    put beside the field."""
    raw = form.value(name).strip()
    if not raw:
        if required:
            form.add(name, f"enter the {label}")
        return None
    try:
        value = float(raw)
    except ValueError:
        form.add(name, f"the {label} must be a number (got {raw!r})")
        return None
    if whole:
        if value != int(value):
            form.add(name, f"the {label} must be a whole number")
            return None
        return int(value)
    return value


def whole(form: FormState, name: str, label: str, *, required: bool = True) -> int | None:
    value = number(form, name, label, required=required, whole=True)
    return None if value is None else int(value)


def clock_time_today(
    form: FormState, name: str, label: str, day: date, zone: ZoneInfo
) -> datetime | None:
    """A typed HH:MM on `day` in clinic time (None when blank)."""
    raw = form.value(name).strip()
    if not raw:
        return None
    try:
        parsed = time.fromisoformat(raw)
    except ValueError:
        form.add(name, f"the {label} must be a time like 14:05 (got {raw!r})")
        return None
    return datetime.combine(day, parsed.replace(tzinfo=None), zone)


def local_datetime(form: FormState, name: str, label: str, zone: ZoneInfo) -> datetime | None:
    """A typed date and time (datetime-local, clinic time) as an aware moment."""
    raw = form.value(name).strip()
    if not raw:
        form.add(name, f"enter the {label}")
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        form.add(name, f"the {label} must be a date and time like 2026-03-02T10:00 (got {raw!r})")
        return None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def checked(form: FormState, name: str) -> bool:
    return form.value(name) in {"on", "true", "1", "yes"}


def state_of(data: FormData, *lists: str) -> tuple[FormState, dict[str, list[str]]]:
    """The typed values (first of each name) and the multi-valued fields named in `lists`."""
    form = FormState.of({k: v for k, v in data.items() if isinstance(v, str)})
    many = {name: [v for v in data.getlist(name) if isinstance(v, str) and v] for name in lists}
    for name, values in many.items():
        # Kept as typed for a re-render: the template ticks the boxes listed here.
        form.values[name] = ",".join(values)
    return form, many


def view_helpers(zone: ZoneInfo) -> dict[str, object]:
    """Helpers every chair page's templates use: clinic-time HH:MM, state and route labels."""
    return {
        "hm": lambda moment: hm(moment, zone),
        "status_view": status_view,
        "route_label": route_label,
        "zone": zone,
    }
