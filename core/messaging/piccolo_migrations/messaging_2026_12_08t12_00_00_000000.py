"""Seal or drop the one-time-token links left in clear in the outbox, and cut the webhook
errors that kept a receiver's reply (issue 13, defect 3).

Mail events written before their links were sealed carry ``reset_url``, ``confirm_url``… in
clear in ``outbox_event.payload``; the mail step now refuses them (``SecretInClear``). An
undelivered one gets its links sealed (``core.messaging.mail_secrets.seal_stored_events``) so
it is still sent with a working link; a delivered one loses them. ``mail_message`` keeps no
payload or body, so it holds no link. The deployment's secret key (``SHOMEI_SECRET_KEY``) is
read when this runs, and only when an undelivered event needs sealing. ``webhook_attempt.error``
and ``webhook_delivery.last_error`` of the form ``HTTP 500: <reply>`` are cut to ``HTTP 500``
(``core.messaging.webhooks.cut_stored_errors``). Backwards does nothing: nothing is written
back in clear.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-08T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seal mail links left in clear in the outbox; webhook errors keep only the status"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def seal_links_and_cut_errors():
        from core.messaging.mail_secrets import seal_stored_events
        from core.messaging.webhooks import cut_stored_errors
        from core.sealing import Keyring
        from core.settings import get_settings

        await seal_stored_events(lambda: Keyring.from_settings(get_settings()))
        await cut_stored_errors()

    manager.add_raw(seal_links_and_cut_errors)
    return manager
