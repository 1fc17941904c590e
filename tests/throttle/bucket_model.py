"""The reference model of an MWS bucket, in exact arithmetic (fractions of a second).

A bucket holds `capacity` units and regains one every `restore` seconds (GCRA form: `tat` is
when it is full again). A call of `cost` units (at most `capacity`) may leave once
`tat - (capacity - cost) * restore` has passed and, with an hourly quota, once it is no earlier
than the previous send and no `quota` sends lie within an hour plus the margin before it.
Taking moves `tat` to `max(tat, send) + cost * restore`. A drain (RequestThrottled) empties it:
`tat = max(tat, now + capacity * restore)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

HOUR = Fraction(3600)
MARGIN = Fraction(75, 1000)  # throttle.HOURLY_QUOTA_MARGIN


@dataclass
class ModelBucket:
    capacity: int
    restore: Fraction
    hourly: int | None
    tat: Fraction | None = None
    sends: list[Fraction] = field(default_factory=list)

    def reserve(self, cost: int, now: Fraction, take: bool) -> Fraction:
        """Seconds to wait before sending; takes the units if `take` or when there is no wait."""
        tat = now if self.tat is None else self.tat
        cost = min(cost, self.capacity)
        send = max(now, tat - (self.capacity - cost) * self.restore)
        if self.hourly is not None and self.sends:
            send = max(send, self.sends[-1])
            if len(self.sends) >= self.hourly:
                send = max(send, self.sends[-self.hourly] + HOUR + MARGIN)
        wait = send - now
        if wait > 0 and not take:
            return wait
        self.tat = max(tat, send) + cost * self.restore
        if self.hourly is not None:
            self.sends.append(send)
        return max(wait, Fraction(0))

    def drain(self, now: Fraction) -> None:
        tat = now if self.tat is None else self.tat
        self.tat = max(tat, now + self.capacity * self.restore)
