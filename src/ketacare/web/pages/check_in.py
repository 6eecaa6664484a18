"""The patient's check-in pages behind a one-time link (no sign-in; phone first; no JS needed).

GET shows the questionnaires as one short form with large answer buttons. POST records the
answers once and answers in the same response: a thank-you with the scores in plain words, or
the clinic's crisis resources first when PHQ-9 item 9 raised the urgent alert. (No redirect
after the post: the crisis text must be in the response itself, and a re-post of the spent link
shows "already answered".) Unknown, expired and used links each get a clear page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ketacare.domain.errors import InvalidInput
from ketacare.domain.instrument_model import Instrument
from ketacare.services import check_in_links
from ketacare.services.check_in_links import LinkNotFound, LinkProblem, LinkRefused, OpenLink
from ketacare.services.symptom_scores import instrument_for
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, SessionDep
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
FORM = "care/check_in.html"
DONE = "care/check_in_done.html"
INVALID = "care/check_in_invalid.html"
STATUS = {
    LinkProblem.UNKNOWN: 404,
    LinkProblem.EXPIRED: 410,
    LinkProblem.USED: 409,
    LinkProblem.CLOSED: 410,
}
TITLES = {
    LinkProblem.UNKNOWN: "We do not recognise this link",
    LinkProblem.EXPIRED: "This link has expired",
    LinkProblem.USED: "Already answered",
    LinkProblem.CLOSED: "This check-in is no longer needed",
}
PLAIN_BANDS = {
    "gad7": "anxiety",
    "phq9": "low mood (depression)",
    "pcl5": "post-traumatic stress",
}


def _invalid(request: Request, error: LinkNotFound | LinkRefused) -> Response:
    problem = error.problem
    context = {"problem": problem.value, "title": TITLES[problem], "message": error.message}
    return render(request, INVALID, context, status_code=STATUS[problem])


def _form_context(token: str, opened: OpenLink, **extra: Any) -> dict[str, Any]:
    tools: list[Instrument] = [instrument_for(c) for c in opened.check_in.instruments]
    return {
        "token": token,
        "clinic": opened.clinic_name,
        "expires_at": opened.link.expires_at,
        "tools": tools,
        "chosen": {},
        "errors": {},
        **extra,
    }


@router.get("/c/{token}")
def check_in_page(token: str, request: Request, session: SessionDep, clock: ClockDep) -> Response:
    try:
        opened = check_in_links.open_link_audited(session=session, clock=clock, token=token)
    except (LinkNotFound, LinkRefused) as error:
        return _invalid(request, error)
    return render(request, FORM, _form_context(token, opened))


@router.post("/c/{token}", dependencies=[Depends(verify_csrf)])
async def check_in_submit(
    token: str, request: Request, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        opened = check_in_links.open_link(session=session, clock=clock, token=token)
    except (LinkNotFound, LinkRefused) as error:
        return _invalid(request, error)
    form = await request.form()
    chosen: dict[str, int] = {}
    errors: dict[str, str] = {}
    answers: dict[str, list[int]] = {}
    for code in opened.check_in.instruments:
        tool = instrument_for(code)
        values: list[int] = []
        for item in tool.items:
            name = f"{code}_{item.number}"
            raw = form.get(name)
            allowed = {a.value for a in tool.answers}
            if isinstance(raw, str) and raw.isdigit() and int(raw) in allowed:
                chosen[name] = int(raw)
                values.append(int(raw))
            else:
                errors[name] = "Please choose one answer."
        answers[code] = values
    if errors:
        context = _form_context(token, opened, chosen=chosen, errors=errors)
        return render(request, FORM, context, status_code=422)
    try:
        answered = check_in_links.answer_check_in(
            session=session, clock=clock, token=token, answers=answers
        )
    except (LinkNotFound, LinkRefused) as error:
        return _invalid(request, error)
    except InvalidInput as error:
        context = _form_context(token, opened, chosen=chosen, errors={"form": error.message})
        return render(request, FORM, context, status_code=422)
    results = [
        {
            "name": instrument_for(s.score.instrument).name,
            "total": s.score.total,
            "max": instrument_for(s.score.instrument).total_max,
            "band": s.score.band or "",
            "about": PLAIN_BANDS.get(s.score.instrument, ""),
        }
        for s in answered.scores
    ]
    context = {
        "clinic": opened.clinic_name,
        "results": results,
        "urgent": answered.urgent,
        "crisis_text": answered.crisis_text,
    }
    return render(request, DONE, context)
