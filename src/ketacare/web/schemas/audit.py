from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ketacare.db.models.audit import AuditOutcome


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor_user_id: int | None
    actor_label: str
    action: str
    patient_id: int | None
    object_type: str
    object_id: str
    outcome: AuditOutcome
    request_id: str
    detail: dict[str, Any]
