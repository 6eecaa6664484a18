"""What every demo story shares: the session, the walking clock, the team, the stock, and the
chair calendar that gives each session a chair, a nurse and a time.

Past days use fixed slots (08:00, 10:30, 13:00 and 15:30 clinic time on each chair: every
route's chair time fits in 2.5 hours). Today uses a board laid out around the moment the demo
is loaded: four sessions done, one dosing, one being monitored, and four later today.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.session_flow import SessionStatus
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.demo_sessions import Stock, Team

SLOT_TIMES = (time(8, 0), time(10, 30), time(13, 0), time(15, 30))


@dataclass(frozen=True)
class Slot:
    start: datetime
    chair_id: int
    nurse: Actor
    stop_at: SessionStatus | None = None  # today's board: where the session stands now


# (minutes from now to the booked start, chair number 1–6, where it stands now), in the order
# today's sessions are handed out: a small clinic still gets a done, a dosing, a monitored and
# a later session. A chair is reused only after its earlier session has left it.
TODAY_BOARD: tuple[tuple[int, int, SessionStatus | None], ...] = (
    (-270, 1, None),
    (-27, 5, SessionStatus.DOSING),
    (30, 1, SessionStatus.SCHEDULED),
    (-70, 6, SessionStatus.MONITORING),
    (-240, 2, None),
    (75, 2, SessionStatus.SCHEDULED),
    (-195, 3, None),
    (120, 3, SessionStatus.SCHEDULED),
    (-160, 4, None),
    (165, 4, SessionStatus.SCHEDULED),
)


@dataclass
class ChairCalendar:
    """Hands out non-overlapping chair times; chairs 1–3 belong to the first nurse, 4–6 to the
    second (three patients at most per nurse, under the clinic's ratio)."""

    chair_ids: tuple[int, ...]
    nurses: tuple[Actor, ...]
    zone: ZoneInfo
    now: datetime
    taken: set[tuple[date, int, int]] = field(default_factory=set)
    today_used: int = 0

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, self.zone).astimezone(UTC)

    def nurse_for(self, chair_index: int) -> Actor:
        return self.nurses[0] if chair_index < 3 else self.nurses[1]

    def slot_on(self, day: date, rng: np.random.Generator) -> Slot | None:
        """A free slot on `day` (today: the next place on today's board), None when full."""
        if day == self.today:
            return self._today_slot()
        free = [
            (t, c)
            for t in range(len(SLOT_TIMES))
            for c in range(len(self.chair_ids))
            if (day, t, c) not in self.taken
        ]
        if not free:
            return None
        t, c = free[int(rng.integers(0, min(len(free), 6)))]
        self.taken.add((day, t, c))
        return Slot(self.at(day, SLOT_TIMES[t]), self.chair_ids[c], self.nurse_for(c))

    def release(self, slot: Slot) -> None:
        """Give back a slot that could not be booked (a rule refused it)."""
        local = slot.start.astimezone(self.zone)
        if local.date() == self.today:
            return
        t = SLOT_TIMES.index(local.time())
        self.taken.discard((local.date(), t, self.chair_ids.index(slot.chair_id)))

    def _today_slot(self) -> Slot | None:
        if self.today_used >= len(TODAY_BOARD):
            return None
        minutes, chair, stop_at = TODAY_BOARD[self.today_used]
        self.today_used += 1
        start = (self.now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
        return Slot(start, self.chair_ids[chair - 1], self.nurse_for(chair - 1), stop_at)


@dataclass
class DemoContext:
    """The demo's unit of work and its running tallies."""

    session: Session
    clock: FixedClock
    clinic_id: int
    team: Team
    policy: ClinicPolicy
    stock: Stock
    calendar: ChairCalendar
    rng: np.random.Generator
    now: datetime
    tally: Counter[str] = field(default_factory=Counter)
