"""Check-in API shapes: the questionnaire behind a link, the answers, the result, staff views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AnswerOption(BaseModel):
    value: int
    label: str


class Question(BaseModel):
    number: int
    text: str


class Questionnaire(BaseModel):
    code: str
    name: str
    lookback: str
    questions: list[Question]
    options: list[AnswerOption]


class CheckInForm(BaseModel):
    """What a link asks (no patient details: the link may be opened on a shared device)."""

    clinic: str
    expires_at: datetime
    questionnaires: list[Questionnaire]


class CheckInAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, list[int]] = Field(
        description="instrument code (gad7, phq9, pcl5) → item answers in order",
        min_length=1,
        max_length=3,
    )


class ScoreResult(BaseModel):
    instrument: str
    total: int
    band: str | None


class CheckInResult(BaseModel):
    scores: list[ScoreResult]
    urgent: bool
    # Shown at once when an answer raised an URGENT alert (PHQ-9 item 9); None otherwise.
    crisis_resources: str | None


class CheckInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    due_at: datetime | None = None


class CheckInRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    patient_id: int
    kind: str
    status: str
    due_at: datetime
    instruments: list[str]
    reason: str
    answered_at: datetime | None
    urgent: bool
    session_id: int | None
    course_id: int | None


class CheckInPreferencesUpdate(BaseModel):
    """A new version of the patient's check-in email preferences. Hours are whole hours in the
    clinic's time zone, 0–23, earliest before latest; both null = any time. `reason` is required
    from staff; a patient may leave it empty."""

    model_config = ConfigDict(extra="forbid")
    opted_out: bool
    earliest_hour: int | None = None
    latest_hour: int | None = None
    reason: str = Field("", max_length=500)


class CheckInPreferenceVersion(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    opted_out: bool
    earliest_hour: int | None
    latest_hour: int | None
    reason: str
    set_by_label: str
    set_by_role: str
    created_at: datetime


class CheckInPreferencesRead(BaseModel):
    """The current preferences (the defaults — emails on, any time — when `version` is null)
    and every version, newest first."""

    patient_id: int
    opted_out: bool
    earliest_hour: int | None
    latest_hour: int | None
    timezone: str
    version: int | None
    versions: list[CheckInPreferenceVersion]
