"""The tenant's uploaded logo reaches its PDFs: ``core.messaging.branding.load_logo`` gives it
as a ``data:`` address (PDFs render without a network), the invoice PDF embeds it as an image
above the issuer, and a tenant without a logo gets none (and no other tenant's)."""

from __future__ import annotations

import base64
import shutil
import subprocess

from core.billing import invoices
from core.billing.pdf import InvoicePdfRenderer
from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.branding import load_logo
from tenants.branding import store_logo
from tests.core.billing.factories import context, draft
from tests.tenants.helpers import staff_context
from tests.web.branding.images import picture
from tests.web.browser import START, make_shop


def images_in(pdf: bytes, folder) -> list[str]:
    """The image lines of ``pdfimages -list`` (poppler-utils) for ``pdf``."""
    assert shutil.which("pdfimages"), "pdfimages (poppler-utils) is needed: bash scripts/test"
    path = folder / "branded.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True)
    return out.stdout.decode().splitlines()[2:]


async def test_the_logo_is_embedded_in_the_invoice_pdf_of_its_tenant_only(database, tmp_path):
    clock = FrozenClock(START)
    branded, plain = await make_shop(clock), await make_shop(clock)
    logo = picture("PNG", (300, 100))
    ctx = staff_context(branded.tenant, branded.owner_id, clock)
    with tenant_scope(branded.tenant):
        await store_logo(ctx, logo)
        uri = await load_logo(ctx)
    assert uri == "data:image/png;base64," + base64.b64encode(logo).decode()
    with tenant_scope(plain.tenant):
        assert await load_logo(staff_context(plain.tenant, plain.owner_id, clock)) == ""

    invoice = await invoices.create_invoice(context(), draft())
    renderer = InvoicePdfRenderer()
    html = renderer.html(invoice, "ja", logo=uri)
    assert f'<img class="brand-logo" src="{uri}" alt="">' in html
    with_logo = images_in(renderer.pdf(invoice, "ja", logo=uri), tmp_path)
    assert len(with_logo) == 1 and " 300 " in with_logo[0] and " 100 " in with_logo[0]
    assert images_in(renderer.pdf(invoice, "ja"), tmp_path) == []
    assert "brand-logo" not in renderer.html(invoice, "ja")
