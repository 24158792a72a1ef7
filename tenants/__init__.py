"""Tenancy and identity: tenants, staff, end customers, operators, API keys, provider accounts."""
