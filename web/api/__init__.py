"""The JSON API under /api/v1: tenant routes authenticated by API key, ops routes by token."""
