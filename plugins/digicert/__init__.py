"""DigiCert CertCentral Partner-style provider (vouchers and certificate orders).

For now this package holds the upstream HTTP client (``plugins.digicert.client``) and a
sandbox upstream (``plugins.digicert.sandbox``). The provider and issuer built on them, and
their registration in ``core.plugins.DEFAULT_PLUGINS``, come later. See ``docs/digicert.md``.
"""
