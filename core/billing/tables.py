"""Piccolo tables of the billing app."""

from __future__ import annotations
