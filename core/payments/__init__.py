"""Payments applied to orders: the outcome ledger, bank-transfer expectations and Zengin imports.

``ledger.apply_outcome`` is the one way a payment adapter's outcome reaches an order (or, for
other payables such as a wallet top-up, is announced once as ``payment.received``);
``transfers`` issues bank-transfer instructions, imports Zengin files and keeps the unmatched
queue, through the plugin's backend found by code (``bank_backend``); ``renewal_settings``
stores each customer's payment method and automatic renewal.
"""
