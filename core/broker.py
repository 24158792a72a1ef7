"""The message broker seen through kombu (no Celery app needed): reachability, transport
options, and the embedded mode's filesystem transport."""

from __future__ import annotations

import fcntl
import os
import uuid
from time import monotonic
from typing import Any

from kombu import Connection
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

from core.errors import ConfigError
from core.settings import Settings


def check_broker(url: str, transport_options: dict[str, Any], timeout: float = 3.0) -> None:
    """Connect once, or raise a ConfigError naming SHOMEI_BROKER_URL."""
    try:
        with Connection(
            url,
            transport=transport_for(url),
            transport_options=transport_options,
            connect_timeout=timeout,
        ) as conn:
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


class AtomicFilesystemChannel(filesystem.Channel):
    """kombu's filesystem channel, but every file appears whole or not at all.

    kombu writes message files and exchange tables in place: a consumer may read a message
    before the producer has written a byte (the message is lost as an empty document), and
    two processes declaring queues at once (web, worker and beat at start) can read an empty
    table or overwrite each other's bindings (later messages are dropped). Here each file is
    written under a name nobody reads, then renamed into place (atomic on one filesystem), and
    table updates are serialised by a lock file.
    """

    def get_table(self, exchange: str) -> list[Any]:
        try:
            raw = self._exchange_file(exchange).read_bytes()
        except FileNotFoundError:
            return []
        return [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(raw))]

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with open(self.control_folder / ".bindings.lock", "a") as guard:
            fcntl.flock(guard.fileno(), fcntl.LOCK_EX)
            try:
                table = self.get_table(exchange)
                if binding not in table:
                    _write_atomically(str(file), dumps([binding, *table]))
            finally:
                fcntl.flock(guard.fileno(), fcntl.LOCK_UN)

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        try:
            _write_atomically(final, dumps(payload))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


def _write_atomically(path: str, text: str) -> None:
    """Write under a hidden temporary name, then rename: readers see all of it or nothing."""
    folder, name = os.path.split(path)
    partial = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.partial")
    with open(partial, "wb") as handle:
        handle.write(str_to_bytes(text))
    os.replace(partial, path)


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicFilesystemChannel


FILESYSTEM_TRANSPORT = "core.broker:AtomicFilesystemTransport"


def transport_for(url: str) -> str | None:
    """The kombu transport class to use for ``url`` (None: kombu's own for the scheme)."""
    return FILESYSTEM_TRANSPORT if url.startswith("filesystem") else None
