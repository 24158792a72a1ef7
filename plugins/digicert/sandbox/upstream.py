"""The sandbox upstream as one object: configuration, clock, state, CA and fault switch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from core.clock import Clock
from plugins.digicert.sandbox.ca import SandboxCA
from plugins.digicert.sandbox.config import SandboxConfig
from plugins.digicert.sandbox.faults import Faults
from plugins.digicert.sandbox.store import SandboxStore


@dataclass
class Sandbox:
    config: SandboxConfig
    clock: Clock
    store: SandboxStore
    ca: SandboxCA
    faults: Faults = field(default_factory=Faults)

    @classmethod
    def open(cls, state_dir: Path | None, clock: Clock, config: SandboxConfig) -> Sandbox:
        store = SandboxStore(state_dir)
        ca = SandboxCA.load_or_create(state_dir, config.ca_name, clock.now())
        return cls(config, clock, store, ca)

    def now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    def today(self) -> date:
        return self.now().date()

    @property
    def emails(self) -> list[dict[str, object]]:
        return self.store.data["emails"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
