"""A hosting company joins: the public sign-up on the base domain, its e-mail confirmation,
and the mails of the operator's decision (``tenants.onboarding`` holds the rules)."""
