"""A DigiCert voucher order big enough to be a background job (more than 50 codes), placed
against the sandbox upstream, and reading a PDF's text back."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.context import tenant_scope
from plugins.digicert.client import CertCentralClient
from plugins.digicert.views import VoucherOrderView
from plugins.digicert.vouchers import VoucherLineIn, VoucherOrderIn, place_voucher_order
from tests.plugins.digicert.conftest import API_KEY
from tests.plugins.digicert.shop import Shop


async def big_voucher_order(shop: Shop, api_url: str, quantity: int) -> VoucherOrderView:
    line = VoucherLineIn("ssl_basic", quantity=quantity, years=1, fqdns=1, wildcards=0)
    request = VoucherOrderIn("bank_transfer", (line,), customer_name="株式会社サンプル")
    async with CertCentralClient(API_KEY, api_url, timeout=30) as api:
        with tenant_scope(shop.tenant):
            order = await place_voucher_order(shop.ctx.with_key(f"big-{quantity}"), api, request)
    assert len(order.codes) == quantity
    return order


def pdf_text(content: bytes, folder: Path) -> str:
    path = folder / "job.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
