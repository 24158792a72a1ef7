"""Billing: invoices, numbering, payment terms, qualified-invoice fields, PDFs."""
