"""Entitlements: what a customer bought and can use, made from paid order lines by providers."""
