"""The forecast's input: one patient's course as the forecast sees it, and its validation."""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.errors import InvalidInput
from ketacare.domain.instrument_model import Instrument
from ketacare.domain.instruments import GAD7, PHQ9
from ketacare.domain.routes import Route

FORECAST_INSTRUMENTS: dict[str, Instrument] = {GAD7.code: GAD7, PHQ9.code: PHQ9}


@dataclass(frozen=True)
class PatientCourse:
    """One course as the forecast sees it (also a clinic's completed course when fitting).

    `scores_after_session`: (session number, total of the forecast instrument) for scores taken
    after a session; `sessions_done`: sessions given so far. A baseline may be None only for the
    instrument not forecast (it is then taken as average).
    """

    route: Route
    gad7_baseline: int | None
    phq9_baseline: int | None
    comorbid_depression: bool
    comorbid_ptsd: bool
    sessions_done: int
    scores_after_session: tuple[tuple[int, int], ...] = ()


def validate_course(course: PatientCourse, tool: Instrument) -> int:
    """The forecast instrument's baseline, after checking every field of `course`."""
    if not isinstance(course.route, Route):
        raise InvalidInput(
            f"route must be one of {', '.join(r.value for r in Route)}", field="route"
        )
    for name, inst in (("gad7_baseline", GAD7), ("phq9_baseline", PHQ9)):
        value = getattr(course, name)
        if value is None:
            if inst is tool:
                raise InvalidInput(
                    f"{name} is needed to forecast a {tool.name} response", field=name
                )
            continue
        inst.check_total(value, field=name)
    baseline = baseline_of(course, tool) or 0
    if baseline <= 0:
        raise InvalidInput(
            f"{tool.code}_baseline must be above 0 to forecast a response (nothing to improve on)",
            field=f"{tool.code}_baseline",
        )
    done = course.sessions_done
    if isinstance(done, bool) or not isinstance(done, int) or not 0 <= done <= 1000:
        raise InvalidInput("sessions_done must be a whole number 0–1000", field="sessions_done")
    seen: set[int] = set()
    for i, (n, total) in enumerate(course.scores_after_session):
        field = f"scores_after_session[{i}]"
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= done or n in seen:
            raise InvalidInput(
                f"{field} session number must be a distinct whole number 1–{done} (sessions "
                f"done); got {n!r}",
                field=field,
            )
        seen.add(n)
        tool.check_total(total, field=field)
    return baseline


def baseline_of(course: PatientCourse, tool: Instrument) -> int | None:
    return course.gad7_baseline if tool is GAD7 else course.phq9_baseline


def instrument_of(code: str) -> Instrument:
    try:
        return FORECAST_INSTRUMENTS[code]
    except KeyError:
        raise InvalidInput(
            f"instrument must be one of {', '.join(FORECAST_INSTRUMENTS)}; got {code!r}",
            field="instrument",
        ) from None
