"""The public facility directory: listings, and a log of every change to the directory.

Listings are public data, not clinical records: an import may replace a listing. A listing a
clinic publishes from ketacare (source `ketacare`) carries its `clinic_id` and is only changed by
that clinic. Multi-valued fields are JSON lists of enum values; `signals` is a JSON list of
`{kind, status, basis, note}` objects, one per signal kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.finder.model import ListingSource


class FinderListing(Base):
    __tablename__ = "finder_listings"
    __table_args__ = (
        CheckConstraint("latitude >= -90 AND latitude <= 90", name="latitude_range"),
        CheckConstraint("longitude >= -180 AND longitude <= 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[ListingSource] = mapped_column(enum_column(ListingSource, 20), index=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_name: Mapped[str] = mapped_column(String(200), default="")
    street1: Mapped[str] = mapped_column(String(200))
    street2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2), index=True)
    zip: Mapped[str] = mapped_column(String(5), index=True)
    phone: Mapped[str] = mapped_column(String(80), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    coordinates_approximate: Mapped[bool]
    is_ketamine_provider: Mapped[bool] = mapped_column(index=True)
    routes: Mapped[list[str]]
    conditions: Mapped[list[str]]
    payment: Mapped[list[str]]
    populations: Mapped[list[str]]
    therapy_approaches: Mapped[list[str]]
    telehealth: Mapped[bool | None]
    accepting_new_patients: Mapped[bool | None]
    esketamine_rems_certified: Mapped[bool | None]
    signals: Mapped[list[Any]]
    service_codes: Mapped[list[str]]
    updated_at: Mapped[datetime]


class FinderChange(Base):
    """One change to the directory (an import, a publication): who, when, what came of it.

    The newest row's `token` identifies the directory's current contents; search indexes are
    rebuilt when it changes.
    """

    __tablename__ = "finder_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    token: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # import, publish, unpublish
    source_name: Mapped[str] = mapped_column(String(300), default="")
    actor_label: Mapped[str] = mapped_column(String(254))
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    detail: Mapped[dict[str, Any]]
