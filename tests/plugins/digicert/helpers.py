"""Small builders shared by the DigiCert tests."""

from __future__ import annotations

from plugins.digicert.models import CertificateOrderRequest, CertificateSpec, Organization
from tests.csr_helpers import make_csr

NAMES = ("www.shop.test", "shop.test")


def spec(names: tuple[str, ...] = NAMES, csr: str | None = None) -> CertificateSpec:
    return CertificateSpec(
        common_name=names[0], dns_names=names, csr=csr or make_csr(names[0], names)
    )


def order_request(
    names: tuple[str, ...] = NAMES,
    *,
    product: str = "ssl_basic",
    years: int = 1,
    dcv_method: str = "http-token",
    voucher_code: str | None = None,
) -> CertificateOrderRequest:
    return CertificateOrderRequest(
        product_name_id=product,
        certificate=spec(names),
        organization=Organization(name="株式会社テスト"),
        validity_years=years,
        dcv_method=dcv_method,
        voucher_code=voucher_code,
    )


def refusal(failed: object, field: str, message_id: str) -> dict[str, str]:
    """The one error of ``failed`` (a ValidationFailed) for ``field``, checked to carry
    ``message_id``, rendered in ja and en from the plugin's and core's catalogs (no id left
    untranslated: the CSR's name rule is core's, ``csr.*``)."""
    from core.errors import ValidationFailed
    from core.i18n import Translator, load_catalogs, merge_catalogs

    assert isinstance(failed, ValidationFailed)
    found = [e for e in failed.errors if e.field == field]
    assert [e.message_id for e in found] == [message_id], failed.errors
    catalogs = merge_catalogs(
        load_catalogs(p) for p in ("core", "core.billing", "plugins.digicert")
    )
    rendered = {
        language: Translator(catalogs, language)(message_id, **found[0].params)
        for language in ("ja", "en")
    }
    assert not any(text.startswith("[") for text in rendered.values()), rendered
    return rendered
