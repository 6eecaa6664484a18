"""Patients: registration, the record, body measurements, invitations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ketacare.domain.screening_input import Sex


class PatientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    clinic_id: int
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    email: str
    phone: str
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relationship: str = ""
    usual_escort_name: str = ""
    usual_escort_phone: str = ""


class PatientCreate(BaseModel):
    """Register a patient. Weight (kg) and height (cm) are optional here; with `measured_on`
    (default today) they become the first body measurement."""

    model_config = ConfigDict(extra="forbid")
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    sex: Sex
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=300)
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_phone: str = Field("", max_length=40)
    emergency_contact_relationship: str = Field("", max_length=60)
    usual_escort_name: str = Field("", max_length=200)
    usual_escort_phone: str = Field("", max_length=40)
    weight_kg: float | None = None
    height_cm: float | None = None
    measured_on: date | None = None


class ContactUpdate(BaseModel):
    """Change contact details (staff): send only the fields that change ("" clears one), and
    why. Names, date of birth and sex are not contact details and are refused here."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=500)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=300)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: str | None = Field(None, max_length=40)
    emergency_contact_relationship: str | None = Field(None, max_length=60)
    usual_escort_name: str | None = Field(None, max_length=200)
    usual_escort_phone: str | None = Field(None, max_length=40)


class MeasurementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight_kg: float
    height_cm: float | None = None
    measured_on: date | None = None


class MeasurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    measured_on: date
    weight_kg: float
    height_cm: float | None
    recorded_by_user_id: int | None
    recorded_at: datetime


class InvitationRead(BaseModel):
    """The one-time link: shown once, never stored (only its hash is)."""

    token: str
    path: str
    email: str
    expires_at: datetime


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(max_length=200)
