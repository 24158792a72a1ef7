"""Catalog: products from provider accounts, wholesale price tables, retail prices."""
