"""The shape of a rating instrument: items, allowed answers, severity bands, LOINC codes.

The instruments themselves (GAD-7, PHQ-9, PCL-5, MOAA/S, CADSS-6) and their scoring are in
instruments.py, which re-exports these types.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.errors import InvalidInput
from ketacare.domain.sources import Source


@dataclass(frozen=True)
class Item:
    """One question: 1-based number, short display text, LOINC code (None = not known)."""

    number: int
    text: str
    loinc: str | None = None


@dataclass(frozen=True)
class Answer:
    """One allowed answer: the points it scores, its label, and its LOINC LA code (if any)."""

    value: int
    label: str
    loinc: str | None = None


@dataclass(frozen=True)
class Band:
    """A severity band over the total, inclusive at both ends."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    """A rating scale. Totals are the sum of the item answers; higher = more symptoms, except
    MOAA/S where higher = more alert (`higher_is_worse=False`).

    `outcome_measure` is True for the symptom scales that response/remission rules apply to
    (GAD-7, PHQ-9, PCL-5); False for the in-session ratings (MOAA/S, CADSS-6).
    """

    code: str
    name: str
    items: tuple[Item, ...]
    answers: tuple[Answer, ...]
    bands: tuple[Band, ...]
    loinc_panel: str | None
    loinc_total: str | None
    source: Source
    lookback: str
    outcome_measure: bool = True
    higher_is_worse: bool = True

    @property
    def item_min(self) -> int:
        return min(a.value for a in self.answers)

    @property
    def item_max(self) -> int:
        return max(a.value for a in self.answers)

    @property
    def total_min(self) -> int:
        return self.item_min * len(self.items)

    @property
    def total_max(self) -> int:
        return self.item_max * len(self.items)

    def item(self, number: int) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise InvalidInput(
            f"{self.name} has items 1–{len(self.items)}; got item {number}",
            field=f"{self.code}.item{number}",
        )

    def answer(self, value: int) -> Answer:
        for a in self.answers:
            if a.value == value:
                return a
        raise InvalidInput(
            f"{self.name} answers are {self.item_min}–{self.item_max}; got {value}",
            field=f"{self.code}.answer",
        )

    def band_for(self, total: int) -> str | None:
        """The severity band of a total, or None when the instrument has no bands."""
        self.check_total(total)
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return None

    def check_total(self, total: int, *, field: str | None = None) -> int:
        """Return `total` if it is a whole number within the instrument's range, else raise."""
        if isinstance(total, bool) or not isinstance(total, int):
            raise InvalidInput(
                f"{self.name} total must be a whole number; got {total!r}",
                field=field or f"{self.code}.total",
            )
        if not self.total_min <= total <= self.total_max:
            raise InvalidInput(
                f"{self.name} total must be {self.total_min}–{self.total_max}; got {total}",
                field=field or f"{self.code}.total",
            )
        return total
