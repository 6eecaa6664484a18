"""Paging of the staff list of check-ins: previous/next links on /check-ins that keep the
filters, the outbox paged on its own, and the API twin (`GET /api/check-ins`, Page + limit/offset),
one clinic only."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import CheckIn, Job, JobStatus
from ketacare.services import check_ins
from ketacare.services.clock import FixedClock
from tests.web.test_pages_foundation import sign_in

ROW = re.compile(r'<tr class="jobs-row-(?:scheduled|awaiting|answered|cancelled)')


def _many(db: Session, cast, clock: FixedClock, count: int) -> list[CheckIn]:  # type: ignore[no-untyped-def]
    """`count` check-ins of clinic A (due one hour apart, latest last) and one of clinic B."""
    rows = [
        check_ins.request_check_in(
            session=db,
            actor=cast.actor(cast.nurse_a),
            clock=clock,
            patient_id=cast.patient_a.id,
            due_at=clock.now() + timedelta(hours=n),
        )
        for n in range(count)
    ]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_b), clock=clock, patient_id=cast.patient_b.id
    )
    db.commit()
    return rows


def _links(html: str, rel: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'href="([^"]+)" rel="{rel}"', html)]


def test_the_list_shows_one_page_with_a_next_link_and_the_next_page_a_previous_link(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    rows = _many(db, cast, clock, 30)
    sign_in(client, "nurse@a.example")
    first = client.get("/check-ins?size=25").text
    section = first.split('id="jobs-outbox-heading"')[0]
    assert len(ROW.findall(section)) == 25
    assert "1–25 of 30 · page 1 of 2" in section
    (next_link,) = _links(section, "next")
    assert next_link == "/check-ins?size=25&page=2"
    assert _links(section, "prev") == []
    second = client.get(next_link).text.split('id="jobs-outbox-heading"')[0]
    assert len(ROW.findall(second)) == 5
    assert "26–30 of 30 · page 2 of 2" in second
    assert _links(second, "prev") == ["/check-ins?size=25&page=1"]
    assert _links(second, "next") == []
    # Latest due first: the last page holds the earliest five.
    earliest = sorted(rows, key=lambda r: r.due_at)[:5]
    assert all(f"/patients/{r.patient_id}" in second for r in earliest)


def test_the_links_keep_the_status_filter_and_the_outbox_page(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _many(db, cast, clock, 30)
    sign_in(client, "nurse@a.example")
    html = client.get("/check-ins?status=pending&size=25&outbox_page=2").text
    check_in_part = html.split('id="jobs-outbox-heading"')[0]
    (next_link,) = _links(check_in_part, "next")
    assert next_link == "/check-ins?status=pending&size=25&outbox_page=2&page=2"
    # The outbox (60 messages: a link and a reminder each) is on its own page 2 of 3.
    outbox_part = html.split('id="jobs-outbox-heading"')[1]
    assert "26–50 of 60 · page 2 of 3" in outbox_part
    assert _links(outbox_part, "prev") == ["/check-ins?status=pending&size=25&outbox_page=1"]


def test_a_page_past_the_end_shows_the_last_page_and_bad_numbers_fall_back(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _many(db, cast, clock, 30)
    sign_in(client, "nurse@a.example")
    past = client.get("/check-ins?size=25&page=9")
    assert past.status_code == 200 and "26–30 of 30 · page 2 of 2" in past.text
    odd = client.get("/check-ins?size=7&page=x")
    assert odd.status_code == 200
    assert "1–30 of 30" not in odd.text  # one page of 50: no pager at all
    assert len(ROW.findall(odd.text.split('id="jobs-outbox-heading"')[0])) == 30


def test_the_failed_badge_counts_every_failed_message_not_only_this_page(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _many(db, cast, clock, 30)
    for job in db.scalars(select(Job).where(Job.clinic_id == cast.clinic_a.id)).all()[:30]:
        job.status, job.last_error = JobStatus.FAILED, "relay down"
    db.commit()
    sign_in(client, "nurse@a.example")
    html = client.get("/check-ins?size=25&outbox_page=3").text
    assert "30 failed</span>" in html


def test_the_api_pages_the_clinics_check_ins_with_limit_and_offset(
    client, cast, db: Session, clock: FixedClock, token_for
) -> None:  # type: ignore[no-untyped-def]
    rows = _many(db, cast, clock, 30)
    headers = token_for(cast.nurse_a)
    page = client.get("/api/check-ins?limit=10&offset=25", headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (30, 10, 25, 5)
    assert {i["patient_id"] for i in body["items"]} == {cast.patient_a.id}
    latest = client.get("/api/check-ins?limit=1", headers=headers).json()["items"][0]
    assert latest["id"] == max(rows, key=lambda r: r.due_at).id
    none_answered = client.get("/api/check-ins?status=answered", headers=headers).json()
    assert none_answered["total"] == 0 and none_answered["items"] == []
    assert client.get("/api/check-ins?limit=500", headers=headers).status_code == 422
