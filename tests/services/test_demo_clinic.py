"""The lived-in demo clinic: deterministic from its seed, every stage present, today's board in
motion, and its own invariants hold (no double-booked chair, every discharge passed the gate,
the controlled-substance log reconciles). Loaded once per module (a smaller clinic than the
default 200 patients; `benchmarks/demo_load.py` times the full one)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.db.models import (
    AuditEvent,
    DoseAdministration,
    Patient,
    PredoseAssessment,
    PredoseDecision,
    SessionDischarge,
    SessionNote,
    SymptomScore,
    SymptomSource,
    TreatmentSession,
)
from ketacare.domain.predose import GateOutcome
from ketacare.domain.session_flow import RELEASED, SessionStatus
from ketacare.services import auth, controlled_substances, demo
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.demo_history import demo_stages

PATIENTS = 40
SEED = 11
NOW = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 14:00 in Boston: a clinic day in full swing


@dataclass
class Loaded:
    session: Session
    clinic_id: int
    first_load: dict[str, object]


def _facts(session: Session, clinic_id: int) -> dict[str, object]:
    names = session.execute(
        select(Patient.given_name, Patient.family_name)
        .where(Patient.clinic_id == clinic_id)
        .order_by(Patient.id)
        .limit(12)
    ).all()
    statuses = Counter(
        s.value
        for s in session.scalars(
            select(TreatmentSession.status).where(TreatmentSession.clinic_id == clinic_id)
        )
    )
    scores = session.scalar(
        select(func.count()).select_from(SymptomScore).where(SymptomScore.clinic_id == clinic_id)
    )
    return {
        "names": [tuple(n) for n in names],
        "sessions": dict(statuses),
        "scores": scores,
        "stages": dict(demo_stages(session, clinic_id)),
    }


@pytest.fixture(scope="module")
def loaded(engine: Engine, settings: Settings) -> Iterator[Loaded]:
    """The demo loaded twice with the same seed (the first load rolled back after reading its
    facts); the second stays for the module's tests, rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        first = session.begin_nested()
        clinic = demo.load_demo(
            session=session, clock=FixedClock(NOW), patients=PATIENTS, seed=SEED
        )
        facts = _facts(session, clinic.id)
        first.rollback()
        session.expunge_all()
        clinic = demo.load_demo(
            session=session, clock=FixedClock(NOW), patients=PATIENTS, seed=SEED
        )
        session.flush()
        yield Loaded(session, clinic.id, facts)
        session.close()
        transaction.rollback()


def test_the_same_seed_gives_the_same_clinic(loaded: Loaded) -> None:
    again = _facts(loaded.session, loaded.clinic_id)
    assert again == loaded.first_load
    assert len(set(again["names"])) == 12  # type: ignore[arg-type]
    maya = loaded.session.scalar(
        select(Patient.id).where(
            Patient.clinic_id == loaded.clinic_id, Patient.family_name == "Patel"
        )
    )
    assert maya is not None


def test_patients_are_at_every_stage(loaded: Loaded) -> None:
    stages = demo_stages(loaded.session, loaded.clinic_id)
    assert sum(stages.values()) == PATIENTS
    for stage in ("awaiting_review", "loading", "maintenance", "relapsed", "stopped"):
        assert stages[stage] >= 1, stages


def test_todays_board_has_sessions_done_dosing_monitoring_and_later(loaded: Loaded) -> None:
    today = loaded.session.scalars(
        select(TreatmentSession).where(
            TreatmentSession.clinic_id == loaded.clinic_id,
            TreatmentSession.scheduled_start >= NOW - timedelta(hours=6),
            TreatmentSession.scheduled_start < NOW + timedelta(hours=6),
        )
    ).all()
    statuses = Counter(s.status for s in today)
    assert statuses[SessionStatus.DISCHARGED] >= 2
    assert statuses[SessionStatus.DOSING] == 1
    assert statuses[SessionStatus.MONITORING] == 1
    assert statuses[SessionStatus.SCHEDULED] >= 2
    assert all(s.scheduled_start > NOW for s in today if s.status is SessionStatus.SCHEDULED)


def test_no_chair_holds_two_sessions_at_once(loaded: Loaded) -> None:
    held = loaded.session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.clinic_id == loaded.clinic_id,
            TreatmentSession.status.not_in(RELEASED - {SessionStatus.DISCHARGED}),
        )
        .order_by(TreatmentSession.chair_id, TreatmentSession.scheduled_start)
    ).all()
    assert len(held) > 100
    for before, after in pairwise(held):
        if before.chair_id == after.chair_id:
            assert before.scheduled_end <= after.scheduled_start, (before.id, after.id)


def test_every_discharged_session_passed_the_predose_gate_and_the_discharge_gate(
    loaded: Loaded,
) -> None:
    s = loaded.session
    discharged = s.scalars(
        select(TreatmentSession).where(
            TreatmentSession.clinic_id == loaded.clinic_id,
            TreatmentSession.status == SessionStatus.DISCHARGED,
        )
    ).all()
    assert discharged
    for row in discharged:
        gate = s.scalars(
            select(PredoseAssessment)
            .where(PredoseAssessment.session_id == row.id)
            .order_by(PredoseAssessment.at.desc())
        ).first()
        assert gate is not None and gate.outcome is not GateOutcome.BLOCK
        if gate.outcome is GateOutcome.HOLD:
            decision = s.scalar(
                select(PredoseDecision).where(PredoseDecision.assessment_id == gate.id)
            )
            assert decision is not None and decision.release
        done = s.scalar(select(SessionDischarge).where(SessionDischarge.session_id == row.id))
        assert done is not None
        assert all(c["severity"] == "info" for c in done.criteria), done.criteria
        dose = s.scalar(select(DoseAdministration).where(DoseAdministration.session_id == row.id))
        assert dose is not None and done.discharged_at > dose.started_at
        signed = s.scalar(
            select(SessionNote).where(SessionNote.session_id == row.id, SessionNote.signed)
        )
        assert signed is not None


def test_the_controlled_substance_log_reconciles_with_the_doses_given(loaded: Loaded) -> None:
    report = controlled_substances.reconcile(
        session=loaded.session,
        actor=Actor.system("test", loaded.clinic_id),
        clock=FixedClock(NOW),
    )
    assert report.lines and report.balances
    assert report.balanced, [line.discrepancy for line in report.discrepancies]
    assert all(b.balance_mg >= 0 for b in report.balances)


def test_history_went_through_the_services_with_scores_from_intake_check_ins_and_clinic(
    loaded: Loaded,
) -> None:
    s = loaded.session
    registered = s.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.clinic_id == loaded.clinic_id, AuditEvent.action == "patient.register")
    )
    assert registered == PATIENTS
    sources = set(
        s.scalars(select(SymptomScore.source).where(SymptomScore.clinic_id == loaded.clinic_id))
    )
    assert {SymptomSource.INTAKE, SymptomSource.CHECK_IN, SymptomSource.CLINIC} <= sources
    first = s.scalar(select(func.min(SymptomScore.taken_at)))
    assert first is not None and first < NOW - timedelta(days=60)


def test_the_demo_sign_ins_still_work(loaded: Loaded, settings: Settings) -> None:
    for person in (*demo.DEMO_STAFF, demo.DEMO_PATIENT):
        user = auth.sign_in(
            session=loaded.session,
            settings=settings,
            clock=FixedClock(NOW),
            email=person.email,
            password=person.password,
        )
        assert user.role.value == person.role
