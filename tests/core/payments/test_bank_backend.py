"""Core reaches the bank-transfer plugin only by code (tests/test_layering.py checks that no
module of core imports a plugin): the backend core uses is the registered ``bank_transfer``
adapter class."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import PluginNotFound
from core.payments.bank_backend import BankFileRefused, OpenPayment, bank_transfer_backend
from core.plugins import Registry, build_plugin_manager
from plugins.bank_transfer.adapter import BankTransferAdapter
from plugins.bank_transfer.matching import OpenPayment as PluginOpenPayment
from plugins.bank_transfer.records import ZenginError


def test_the_backend_is_the_registered_bank_transfer_adapter() -> None:
    assert bank_transfer_backend() is BankTransferAdapter
    registry = Registry(build_plugin_manager(load_entrypoints=False))
    assert bank_transfer_backend(registry) is BankTransferAdapter
    without = Registry(
        build_plugin_manager(load_entrypoints=False, disabled=["plugins.bank_transfer"])
    )
    with pytest.raises(PluginNotFound):
        bank_transfer_backend(without)


def test_the_plugin_speaks_cores_types() -> None:
    assert PluginOpenPayment is OpenPayment
    assert issubclass(ZenginError, BankFileRefused)
    with pytest.raises(BankFileRefused) as refused:
        BankTransferAdapter.parse_statement(b"not a zengin file", date(2026, 4, 15))
    assert refused.value.check
