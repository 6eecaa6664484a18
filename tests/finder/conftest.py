"""Shared finder fixtures: the real SAMHSA directory, parsed once per session."""

from __future__ import annotations

import pytest

from ketacare.finder.codes import ServiceCode, load_service_codes
from ketacare.finder.model import Listing
from ketacare.finder.report import ImportReport
from ketacare.finder.samhsa import parse_samhsa_directory


@pytest.fixture(scope="session")
def service_codes() -> dict[str, ServiceCode]:
    return load_service_codes()


@pytest.fixture(scope="session")
def samhsa_report(service_codes: dict[str, ServiceCode]) -> ImportReport:
    return parse_samhsa_directory(codes=service_codes)


@pytest.fixture(scope="session")
def samhsa_listings(samhsa_report: ImportReport) -> list[Listing]:
    return samhsa_report.accepted


@pytest.fixture(scope="session")
def ketamine_listings(samhsa_listings: list[Listing]) -> list[Listing]:
    return [listing for listing in samhsa_listings if listing.is_ketamine_provider]
