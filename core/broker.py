"""Reachability of the message broker, checked with kombu (no Celery app needed)."""

from __future__ import annotations

from typing import Any

from kombu import Connection

from core.errors import ConfigError
from core.settings import Settings


def check_broker(url: str, transport_options: dict[str, Any], timeout: float = 3.0) -> None:
    """Connect once, or raise a ConfigError naming SHOMEI_BROKER_URL."""
    try:
        with Connection(url, transport_options=transport_options, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ConfigError("SHOMEI_BROKER_URL", f"cannot reach the broker ({reason})") from None


def broker_options(settings: Settings) -> dict[str, Any]:
    """Transport options for the configured broker (shared by producers, workers and checks)."""
    if settings.broker_url.startswith("filesystem"):
        folder = settings.broker_folder
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    # Redis re-delivers an unacknowledged message after this long: it must exceed any countdown
    # or ETA we schedule and the longest task, or a slow task would run twice.
    return {"visibility_timeout": 12 * 3600}
