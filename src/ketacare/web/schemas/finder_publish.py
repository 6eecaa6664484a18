"""Request and response shapes for a clinic publishing its own finder listing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ketacare.domain.routes import Route
from ketacare.finder.model import Condition, Payment, Signal, SignalKind, SignalStatus
from ketacare.services.finder_publish import ClinicListingDetails, ListingPreview
from ketacare.web.schemas.finder import ListingRead, listing_read


class ClinicListingIn(BaseModel):
    """What the clinic says about itself; signals ketacare verifies replace self-reports."""

    model_config = ConfigDict(extra="forbid")
    routes: list[Route] = Field(min_length=1, max_length=4)
    conditions: list[Condition] = Field(default=[], max_length=20)
    payment: list[Payment] = Field(default=[], max_length=20)
    telehealth: bool | None = None
    accepting_new_patients: bool | None = None
    esketamine_rems_certified: bool | None = None
    website: str = Field(default="", max_length=300)
    self_reported: dict[SignalKind, SignalStatus] = Field(default={})

    def details(self) -> ClinicListingDetails:
        return ClinicListingDetails(
            routes=frozenset(self.routes),
            conditions=frozenset(self.conditions),
            payment=frozenset(self.payment),
            telehealth=self.telehealth,
            accepting_new_patients=self.accepting_new_patients,
            esketamine_rems_certified=self.esketamine_rems_certified,
            website=self.website.strip(),
            self_reported=tuple(Signal(k, s) for k, s in self.self_reported.items()),
        )


class EvidenceRead(BaseModel):
    kind: SignalKind
    verified: bool
    reason: str


class PublishRead(BaseModel):
    published: bool
    listing: ListingRead
    evidence: list[EvidenceRead]


def publish_read(preview: ListingPreview, *, published: bool) -> PublishRead:
    return PublishRead(
        published=published,
        listing=listing_read(preview.listing),
        evidence=[
            EvidenceRead(kind=e.kind, verified=e.verified, reason=e.reason)
            for e in preview.evidence
        ],
    )
