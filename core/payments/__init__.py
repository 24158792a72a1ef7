"""Payments applied to orders: the outcome ledger, bank-transfer expectations and Zengin imports.

``ledger.apply_outcome`` is the one way a payment adapter's outcome reaches an order; ``transfers``
issues bank-transfer instructions, imports Zengin files and keeps the unmatched queue.
"""
