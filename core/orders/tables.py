"""Piccolo tables of the orders app."""

from __future__ import annotations
