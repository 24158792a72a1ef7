"""The card tests' localstripe server and card account, for the year-long clock test."""

from tests.plugins.card.conftest import account, localstripe

__all__ = ["account", "localstripe"]
