"""The embedded filesystem broker never hands out a half-written message or table.

Large messages widen the window between a file's creation and its last byte: kombu's own
filesystem transport loses some of them here (the consumer reads an empty document).
"""

import contextlib
import threading

from kombu import Connection, Exchange, Queue

from core.broker import AtomicFilesystemTransport, broker_options, transport_for
from core.clock import SystemClock
from core.settings import Settings
from workers.celery_app import create_celery


def test_messages_are_read_whole_while_another_thread_writes(tmp_path):
    settings = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    options = broker_options(settings)
    sent, received, errors = 40, [], []
    queue = Queue("race", Exchange("race"), routing_key="race")
    attached = threading.Event()  # the race under test is write vs read, not start-up

    def produce() -> None:
        attached.wait(timeout=10)
        with Connection(
            "filesystem://", transport=transport_for("filesystem://"), transport_options=options
        ) as conn:
            producer = conn.Producer()
            for n in range(sent):
                producer.publish(
                    {"n": n, "padding": "x" * 4_000_000},
                    exchange="race",
                    routing_key="race",
                    declare=[queue],
                )

    def consume() -> None:
        with Connection(
            "filesystem://", transport=transport_for("filesystem://"), transport_options=options
        ) as conn:
            simple = conn.SimpleQueue(queue)
            with contextlib.suppress(simple.Empty):
                simple.get(timeout=0.5)
            attached.set()
            while len(received) < sent:
                try:
                    message = simple.get(timeout=10)
                except Exception as exc:  # a lost or broken message ends the test
                    errors.append(exc)
                    return
                received.append(message.payload["n"])
                message.ack()
            simple.close()

    threads = [threading.Thread(target=consume), threading.Thread(target=produce)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(received) == list(range(sent))


def test_celery_uses_the_atomic_transport_in_embedded_mode(tmp_path):
    from core.plugins import build_plugin_manager

    settings = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    app = create_celery(settings, build_plugin_manager(load_entrypoints=False), SystemClock())
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, AtomicFilesystemTransport)
