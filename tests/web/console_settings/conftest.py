"""Fixtures of the console settings and voucher page tests: the DigiCert sandbox upstream of
tests/plugins/digicert (for voucher pages) and an app on the shared clock."""

from tests.plugins.digicert.conftest import token_server, upstream

__all__ = ["token_server", "upstream"]
