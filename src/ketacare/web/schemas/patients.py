from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


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
