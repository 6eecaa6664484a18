"""The signed-in patient's own pages, phone-first: care at a glance, sessions with preparation
reminders, the progress chart, the check-in questionnaire, "what to expect", and the patient's
own check-in email preferences (a section of /my: on/off and the hours emails may arrive).

Every page reads through the services as the patient's own actor (staff get 403 from the
service). The check-in is one plain form (works without JavaScript): every question must be
answered; a missing answer is shown beside its question and nothing is stored. On success the
page shows the new point on the chart; a PHQ-9 item 9 answer at the alert level shows the
clinic's crisis resources in that same response (the clinic's alert is raised by the service).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ketacare.charts.progress import ProgressSeries, progress_svg
from ketacare.db.models import SymptomScore, SymptomSource
from ketacare.domain.check_ins import preferences_of
from ketacare.domain.errors import InvalidInput
from ketacare.domain.instrument_model import Instrument
from ketacare.domain.instruments import GAD7, PCL5, PHQ9
from ketacare.domain.outcomes import ResponseLevel
from ketacare.services import check_in_preferences, my_care, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt, submit
from ketacare.web.pages.check_in_prefs import HOUR_OPTIONS, read_hour
from ketacare.web.pages.my_care_guide import guide_for
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
TOOLS: dict[str, Instrument] = {t.code: t for t in (GAD7, PHQ9, PCL5)}
CHARTED = (GAD7.code, PHQ9.code)
CRISIS_PHONE = "988"  # US Suicide & Crisis Lifeline, the number the default crisis text names
PLAIN_NAMES = {GAD7.code: "anxiety", PHQ9.code: "low mood", PCL5.code: "trauma symptoms"}


def _formatter(tz_name: str) -> Callable[[datetime, str], str]:
    zone = ZoneInfo(tz_name)

    def fmt(moment: datetime, pattern: str = "%a %d %b, %H:%M") -> str:
        local = moment.astimezone(zone)
        return local.strftime(pattern.replace("%d", str(local.day)))

    return fmt


def _base(care: my_care.MyCare) -> dict[str, Any]:
    return {"care": care, "fmt": _formatter(care.clinic.timezone), "policy": care.policy}


def _history(
    session: SessionDep, actor: Actor, clock: Clock, patient_id: int
) -> list[SymptomScore]:
    return symptom_scores.symptom_history(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )


def sentence(progress: my_care.Progress, response_pct: float) -> str:
    """The patient's progress on one scale in one plain sentence."""
    plain = PLAIN_NAMES[progress.instrument]
    if progress.latest is None or progress.baseline is None:
        return f"No {plain} score yet: your first check-in starts your chart."
    base, last = progress.baseline.total, progress.latest.total
    if progress.level is None:
        return (
            f"Your first {plain} score ({progress.name}) is {base}. "
            "Your next check-ins will show how it changes."
        )
    moved = f"Your {plain} score ({progress.name}) went from {base} at the start to {last}"
    change = round(abs(base - last) / base * 100) if base else 0
    if last > base:
        return (
            f"{moved}, {change}% higher. Your care team sees this and will talk it through "
            "with you."
        )
    if progress.level is ResponseLevel.REMISSION:
        return f"{moved}. That is remission: your symptoms are now minimal."
    if progress.level is ResponseLevel.RESPONSE:
        return (
            f"{moved}, {change}% lower. That counts as a response "
            f"(at least {response_pct:g}% lower)."
        )
    if progress.level is ResponseLevel.PARTIAL_RESPONSE:
        return f"{moved}, {change}% lower: a partial response so far."
    return f"{moved}. Not yet the change we aim for; that is common early in a course."


def _progress_context(
    care: my_care.MyCare,
    scores: Sequence[SymptomScore],
    highlight: AbstractSet[int] = frozenset(),
) -> dict[str, Any]:
    progress = {code: my_care.progress_of(code, scores, care.policy) for code in TOOLS}
    series = [
        ProgressSeries(
            f"{TOOLS[code].name}",
            [(s.taken_at, s.total) for s in scores if s.instrument == code],
            progress[code].response_line,
            progress[code].remission_below,
            [s.taken_at for s in scores if s.instrument == code and s.id in highlight],
        )
        for code in CHARTED
    ]
    days = [s.start for s in care.past if s.status not in my_care.NOT_HAPPENING and s.start]
    has_points = any(one.points for one in series)
    chart = (
        progress_svg(series, session_days=days, y_max=max(t.total_max for t in (GAD7, PHQ9)))
        if has_points
        else None
    )
    pct = care.policy.outcomes.response_min_improvement_pct
    return {
        "progress": progress,
        "sentences": [
            sentence(progress[c], pct) for c in TOOLS if progress[c].latest or c in CHARTED
        ],
        "chart": chart,
        "scores": list(reversed(scores)),
        "tools": TOOLS,
        "highlight": highlight,
        "response_pct": pct,
    }


EMAILS_SAVED = "Saved. Your check-in email choices are up to date."
# The core's refusals name the field; the patient reads them in plain words beside it.
PLAIN_REFUSALS = {
    "earliest_hour": "Choose both times, or “Any time” for both.",
    "latest_hour": "Choose an “until” time later than the “from” time, or “Any time” for both.",
}


def _emails_form(view: check_in_preferences.PreferencesView) -> FormState:
    window = view.preferences.window
    return FormState.of(
        {
            "emails": "off" if view.preferences.opted_out else "on",
            "earliest_hour": window.earliest_hour if window else "",
            "latest_hour": window.latest_hour if window else "",
        }
    )


def _home(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    scores = _history(session, actor, clock, care.patient.id)
    context = _base(care) | _progress_context(care, scores)
    context["guide"] = guide_for(care.route, care.policy) if care.route else None
    context["user_name"] = care.patient.given_name
    emails = check_in_preferences.read_preferences(
        session=session, actor=actor, clock=clock, patient_id=care.patient.id
    )
    context |= {
        "emails": emails,
        "emails_form": form or _emails_form(emails),
        "hours": HOUR_OPTIONS,
        "crisis_phone": CRISIS_PHONE,
        "emails_saved": EMAILS_SAVED if request.query_params.get("saved") == "emails" else "",
    }
    return render(request, "patient/home.html", context, status_code=status)


@router.get("/my")
def my_home(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    return _home(request, session, actor, clock)


@router.post("/my/check-in-emails", dependencies=[Depends(verify_csrf)])
async def my_check_in_emails(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    """The patient's own check-in email choices: 303 back to /my, or /my again with 422 and the
    error beside the choice it concerns (nothing saved)."""
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    posted = await request.form()
    values = {k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"}
    form = FormState.of({k: values.get(k, "") for k in ("emails", "earliest_hour", "latest_hour")})
    emails = form.value("emails")
    if emails not in ("on", "off"):
        form.add("emails", "Choose whether you want check-in emails.")
    earliest, latest = read_hour(form, "earliest_hour"), read_hour(form, "latest_hour")
    if form.ok:
        try:
            preferences_of(opted_out=emails == "off", earliest_hour=earliest, latest_hour=latest)
        except InvalidInput as refused:
            form.add(refused.field, PLAIN_REFUSALS.get(refused.field or "", refused.message))
    return submit(
        session,
        form,
        lambda: check_in_preferences.set_preferences(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=care.patient.id,
            opted_out=emails == "off",
            earliest_hour=earliest,
            latest_hour=latest,
        ),
        then="/my?saved=emails#check-in-emails",
        again=lambda: _home(request, session, actor, clock, form, 422),
        aliases={"opted_out": "emails"},
    )


@router.get("/my/sessions")
def my_sessions(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    return render(request, "patient/sessions.html", _base(care))


@router.get("/my/progress")
def my_progress(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    scores = _history(session, actor, clock, care.patient.id)
    return render(request, "patient/progress.html", _base(care) | _progress_context(care, scores))


@router.get("/my/what-to-expect")
def my_what_to_expect(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    routes = [care.route] if care.route else list(my_care.ROUTE_NAMES)
    guides = [guide_for(route, care.policy) for route in routes]
    return render(
        request,
        "patient/what_to_expect.html",
        _base(care) | {"guides": guides, "route_known": care.route is not None},
    )


def _check_in_page(
    request: Request, care: my_care.MyCare, codes: Sequence[str], form: FormState, status: int = 200
) -> Response:
    context = _base(care) | {"instruments": [TOOLS[c] for c in codes], "form": form}
    return render(request, "patient/check_in.html", context, status_code=status)


@router.get("/my/check-in")
def my_check_in(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    codes = my_care.check_in_instruments(session=session, actor=actor, clock=clock)
    return _check_in_page(request, care, codes, FormState())


def read_answers(
    values: dict[str, str], codes: Sequence[str], form: FormState
) -> dict[str, list[int]]:
    """Each instrument's answers from the posted fields `<code>_<item>`; a missing or unknown
    answer is put beside its question on `form`."""
    answers: dict[str, list[int]] = {}
    for code in codes:
        tool = TOOLS[code]
        allowed = {str(a.value) for a in tool.answers}
        answers[code] = []
        for item in tool.items:
            name = f"{code}_{item.number}"
            raw = values.get(name, "")
            if raw not in allowed:
                form.add(name, "Please choose one answer for this question.")
                continue
            answers[code].append(int(raw))
    if form.errors:
        missing = len(form.errors)
        form.message = (
            f"{missing} question{'s' if missing > 1 else ''} still "
            f"need{'s' if missing == 1 else ''} an answer (marked below). "
            "Nothing has been saved yet."
        )
    return answers


@router.post("/my/check-in", dependencies=[Depends(verify_csrf)])
async def my_check_in_submit(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    codes = my_care.check_in_instruments(session=session, actor=actor, clock=clock)
    posted = await request.form()
    values = {k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"}
    form = FormState.of(values)
    answers = read_answers(values, codes, form)
    if form.errors:
        return _check_in_page(request, care, codes, form, status=422)
    recorded = attempt(
        session,
        lambda: [
            symptom_scores.record_symptom_score(
                session=session,
                actor=actor,
                clock=clock,
                patient_id=care.patient.id,
                instrument=code,
                answers=answers[code],
                source=SymptomSource.CHECK_IN,
            )
            for code in codes
        ],
        form,
    )
    if recorded is None:
        return _check_in_page(request, care, codes, form, status=422)
    ids = ",".join(str(r.score.id) for r in recorded)
    if any(r.urgent for r in recorded):
        # Crisis resources at once, in this very response (no redirect to wait for).
        return _done_page(request, session, actor, clock, care, {r.score.id for r in recorded})
    return RedirectResponse(f"/my/check-in/done?scores={ids}", status_code=303)


def _done_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    care: my_care.MyCare,
    new_ids: set[int],
) -> Response:
    scores = _history(session, actor, clock, care.patient.id)
    new = [s for s in scores if s.id in new_ids]
    context = _base(care) | _progress_context(care, scores, new_ids)
    context.update(
        new_scores=new,
        urgent=any(my_care.is_urgent(s) for s in new),
        crisis_text=care.policy.outcomes.crisis_resources_text,
        crisis_phone=CRISIS_PHONE,
    )
    return render(request, "patient/check_in_done.html", context)


@router.get("/my/check-in/done")
def my_check_in_done(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep, scores: str = ""
) -> Response:
    care = my_care.my_care(session=session, actor=actor, clock=clock)
    ids = {int(part) for part in scores.split(",") if part.strip().isdigit()}
    return _done_page(request, session, actor, clock, care, ids)
