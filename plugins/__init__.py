"""shomei's built-in plugins: one folder per provider, payment adapter or issuer."""
