"""Seal the tenant webhook signing secrets still stored in clear (issue 13, defect 3).

``webhook_endpoint.secret`` used to hold the secret itself; it now holds it sealed
(``core.messaging.webhook_secrets``). This data migration seals every value still in clear
under the deployment's secret key (``SHOMEI_SECRET_KEY``, read when it runs, and only when
there is something to seal). Backwards does nothing: a sealed secret is never written back in
clear.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seal webhook signing secrets stored in clear"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

    async def seal_clear_secrets():
        from core.context import system_scope
        from core.messaging.tables import WebhookEndpoint
        from core.messaging.webhook_secrets import CLEAR_PREFIX, reseal_stored_secrets
        from core.sealing import Keyring
        from core.settings import get_settings

        with system_scope("seal webhook secrets"):
            clear = await WebhookEndpoint.count().where(
                WebhookEndpoint.secret.like(CLEAR_PREFIX + "%")
            )
        if clear:
            await reseal_stored_secrets(Keyring.from_settings(get_settings()))

    manager.add_raw(seal_clear_secrets)
    return manager
