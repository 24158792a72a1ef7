"""E-mail and tenant webhooks: what the outbox's events become for people and for machines."""
