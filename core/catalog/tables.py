"""Piccolo tables of the catalog app."""

from __future__ import annotations
