"""The customer portal's certificates and account pages, and the certificate-issued mail.

``certificate.py`` reads the certificate an entitlement's data holds; ``forms.py`` maps the
provider's allowed actions onto portal forms; ``controllers.py`` and ``account.py`` are the
pages (listed in ``routes.py`` for ``web/areas.py``); ``events.py`` turns
``entitlement.issued`` into ``certificate.issued`` (mail and webhooks) and is kept free of
Litestar, since workers load it through ``web.builtin``.
"""
