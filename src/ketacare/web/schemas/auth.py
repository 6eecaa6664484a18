from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ketacare.db.models import Role


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in_s: int


class Me(BaseModel):
    user_id: int | None
    clinic_id: int | None
    role: Role | None
    email: str
    patient_id: int | None
