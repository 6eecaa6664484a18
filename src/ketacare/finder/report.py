"""The outcome of reading an import file: rows accepted, rows rejected (with reasons), warnings.

Reading never touches the directory. The caller applies `accepted` in one transaction, so a file
that fails to apply leaves the directory unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ketacare.finder.model import Listing


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported. `row_number` counts as a person would: for CSV it is the
    spreadsheet row (the header is row 1), for JSON it is the position in `rows` (from 1)."""

    row_number: int
    reason: str
    name: str = ""

    def describe(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"row {self.row_number}{label}: {self.reason}"


@dataclass
class ImportReport:
    source: str
    accepted: list[Listing] = field(default_factory=list)
    accepted_rows: list[int] = field(default_factory=list)  # row number of each accepted listing
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.accepted) + len(self.rejected)

    def accept(self, row_number: int, listing: Listing) -> None:
        self.accepted.append(listing)
        self.accepted_rows.append(row_number)

    def reject(self, row_number: int, reason: str, name: str = "") -> None:
        self.rejected.append(RejectedRow(row_number, reason, name))

    def summary(self) -> str:
        return (
            f"{self.source}: {self.rows_read} rows read, {len(self.accepted)} accepted, "
            f"{len(self.rejected)} rejected"
        )
