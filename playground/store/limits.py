"""How much the store keeps, per browser and in all, and for how long: from the environment, checked at start."""

import math
import os
from dataclasses import dataclass

SESSION_MB, TOTAL_MB, DAYS = 25.0, 1024.0, 14.0


class SettingsError(ValueError):
    """A setting the store cannot run with; its message is one line naming the variable and what it needs."""


def _positive(name: str, default: float, unit: str) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{name}={raw!r} is not a positive number of {unit} (unset, it is {default:g})")
    return value


@dataclass(frozen=True)
class Limits:
    """How much the store keeps: per session (image sets included), in all, and for how long."""

    max_session_bytes: int = int(SESSION_MB * 2**20)
    max_total_bytes: int = int(TOTAL_MB * 2**20)
    max_age_s: float = DAYS * 24 * 3600

    @classmethod
    def from_env(cls) -> "Limits":
        """Limits from $PLAYGROUND_SESSION_MAX_MB, $PLAYGROUND_STORE_MAX_MB and $PLAYGROUND_STORE_DAYS.

        Raises SettingsError (one line) for a value that is not a positive number, or a session cap above the total.
        """
        session = _positive("PLAYGROUND_SESSION_MAX_MB", SESSION_MB, "megabytes")
        total = _positive("PLAYGROUND_STORE_MAX_MB", TOTAL_MB, "megabytes")
        days = _positive("PLAYGROUND_STORE_DAYS", DAYS, "days")
        if session > total:
            raise SettingsError(
                f"PLAYGROUND_SESSION_MAX_MB={session:g} is more than PLAYGROUND_STORE_MAX_MB={total:g}: "
                "one browser may not keep more than the whole store"
            )
        return cls(int(session * 2**20), int(total * 2**20), days * 24 * 3600)
