"""The public facility finder: listings, offline place resolution, spatial search, exchange.

Pure: no web framework or database here. The service layer (`ketacare.services.finder`) loads
listings, keeps an index and applies imports in one transaction.
"""

from ketacare.finder.index import ListingIndex, SearchFilters, SearchHit
from ketacare.finder.model import (
    Address,
    Condition,
    Listing,
    ListingSource,
    Payment,
    Population,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    TherapyApproach,
)
from ketacare.finder.report import ImportReport, RejectedRow
from ketacare.finder.zips import (
    ZIP_ATTRIBUTION,
    Place,
    UnknownPlace,
    resolve_city,
    resolve_coordinates,
    resolve_zip,
)

__all__ = [
    "ZIP_ATTRIBUTION",
    "Address",
    "Condition",
    "ImportReport",
    "Listing",
    "ListingIndex",
    "ListingSource",
    "Payment",
    "Place",
    "Population",
    "RejectedRow",
    "SearchFilters",
    "SearchHit",
    "Signal",
    "SignalBasis",
    "SignalKind",
    "SignalStatus",
    "TherapyApproach",
    "UnknownPlace",
    "resolve_city",
    "resolve_coordinates",
    "resolve_zip",
]
