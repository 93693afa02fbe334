"""The key lifecycle as a picture: one row per key, a bar per state it has been in.

Pure geometry from the keys' timestamps (no request, no database), so the Signing Keys page
draws it as inline SVG and tests can check it without a browser.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from keys.models import KeyState, SigningKey

WIDTH = 760
LABEL_WIDTH = 150
ROW_HEIGHT = 30
BAR_HEIGHT = 16
MIN_BAR = 3  # a state held for a moment is still visible


@dataclass(frozen=True)
class Bar:
    state: str  # a KeyState value: which colour
    label: str
    x: float
    width: float
    start: dt.datetime
    end: dt.datetime | None  # None: still in this state


@dataclass(frozen=True)
class Row:
    kid: str
    state: str
    y: float
    bars: list[Bar]
    revoked_x: float | None


@dataclass(frozen=True)
class Timeline:
    rows: list[Row]
    width: int
    height: int
    start: dt.datetime
    end: dt.datetime
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def axis_y(self) -> int:
        return self.height - 6

    @property
    def axis_end_x(self) -> int:
        return self.width - 10


def _periods(key: SigningKey) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """The states a key went through: published as next, signing as current, still
    published as previous; revocation ends whichever it was in."""
    periods: list[tuple[str, dt.datetime, dt.datetime | None]] = []
    end_next = key.current_since or key.revoked_at
    if key.current_since is None or key.current_since > key.created_at:
        periods.append((KeyState.NEXT, key.created_at, end_next))
    if key.current_since is not None:
        periods.append((KeyState.CURRENT, key.current_since, key.current_until or key.revoked_at))
    if key.current_until is not None:
        periods.append((KeyState.PREVIOUS, key.current_until, key.revoked_at))
    return periods


def build(keys: Sequence[SigningKey], now: dt.datetime) -> Timeline:
    """Rows oldest first. `keys` should be a bounded, recent selection."""
    keys = sorted(keys, key=lambda k: (k.created_at, k.kid))
    start = min((k.created_at for k in keys), default=now)
    span = max((now - start).total_seconds(), 1.0)
    scale = (WIDTH - LABEL_WIDTH - 10) / span

    def x_of(moment: dt.datetime) -> float:
        return round(LABEL_WIDTH + (moment - start).total_seconds() * scale, 1)

    rows = []
    for index, key in enumerate(keys):
        bars = []
        for state, begin, end in _periods(key):
            x0, x1 = x_of(begin), x_of(end or now)
            bars.append(Bar(state, KeyState(state).label, x0, max(x1 - x0, MIN_BAR), begin, end))
        rows.append(
            Row(
                kid=key.kid,
                state=key.state,
                y=10 + index * ROW_HEIGHT,
                bars=bars,
                revoked_x=x_of(key.revoked_at) if key.revoked_at else None,
            )
        )
    return Timeline(
        rows=rows, width=WIDTH, height=34 + len(rows) * ROW_HEIGHT, start=start, end=now
    )
