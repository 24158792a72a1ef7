"""The operators' pages on the base domain: home, tenant review (approve, reject, suspend,
reactivate) and delegated access to a tenant that consented (代行納品).

``routes.py`` lists the controllers ``web.areas`` mounts behind the operator-host middleware.
"""
