import subprocess
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from plugins.digicert.errors import InvalidRequest
from plugins.digicert.models import VoucherLine, VoucherOrderRequest
from tests.csr_helpers import make_csr
from tests.plugins.digicert.helpers import NAMES, order_request, spec


def sans(pem: str) -> list[str]:
    cert = x509.load_pem_x509_certificate(pem.encode())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return ext.value.get_values_for_type(x509.DNSName)


def csr_sans(csr_pem: str) -> list[str]:
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    ext = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return ext.value.get_values_for_type(x509.DNSName)


def openssl_verify(tmp_path: Path, bundle_certs: tuple[str, ...], at: int) -> str:
    leaf, intermediate, root = (tmp_path / n for n in ("leaf.pem", "int.pem", "root.pem"))
    for path, pem in zip((leaf, intermediate, root), bundle_certs, strict=True):
        path.write_text(pem)
    result = subprocess.run(
        ["openssl", "verify", "-attime", str(at), "-purpose", "sslserver",
         "-CAfile", str(root), "-untrusted", str(intermediate), str(leaf)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


async def issue_by_http_token(client, upstream, names=NAMES, **kwargs):
    answer = await client.order_certificate(order_request(names, **kwargs), f"ord:{names[0]}")
    assert answer.request_status == "pending"
    status = await client.dcv_status(answer.id)
    assert status.file_path == "/.well-known/pki-validation/fileauth.txt"
    for name in names:
        upstream.tokens.serve_token(name, status.dcv_random_value)
    checked = await client.check_dcv(answer.id)
    assert (checked.order_status, checked.dcv_status) == ("issued", "complete")
    return answer


async def test_order_dcv_issue_download(client, upstream, tmp_path):
    request = order_request()
    answer = await client.order_certificate(request, "ent:1:issue:1")
    status = await client.dcv_status(answer.id)
    assert status.dcv_status == "pending"
    assert status.dcv_random_value == answer.dcv_random_value
    assert {d.name: d.dcv_status for d in status.domains} == dict.fromkeys(NAMES, "pending")

    not_yet = await client.check_dcv(answer.id)  # nothing served yet
    assert not_yet.dcv_status == "pending" and not_yet.order_status == "pending"
    assert "www.shop.test" in not_yet.problems[0]

    for name in NAMES:
        upstream.tokens.serve_token(name, status.dcv_random_value)
    checked = await client.check_dcv(answer.id)
    assert (checked.order_status, checked.certificate_status) == ("issued", "issued")
    assert ("shop.test", "/.well-known/pki-validation/fileauth.txt") in upstream.tokens.requests

    order = await client.get_order(answer.id)
    assert order.status == "issued"
    assert order.idempotency_key == "ent:1:issue:1"
    bundle = await client.download_pem_bundle(order.certificate.id)
    assert len(bundle.certificates) == 3
    assert sorted(sans(bundle.leaf)) == sorted(csr_sans(request.certificate.csr))
    leaf = x509.load_pem_x509_certificate(bundle.leaf.encode())
    csr = x509.load_pem_x509_csr(request.certificate.csr.encode())
    assert leaf.public_key() == csr.public_key()
    assert format(leaf.serial_number, "x") == order.certificate.serial_number
    at = int(upstream.clock.now().timestamp()) + 3600
    assert "OK" in openssl_verify(tmp_path, bundle.certificates, at)

    p7 = pkcs7.load_pem_pkcs7_certificates(await client.download_pkcs7(order.certificate.id))
    assert leaf.subject in [c.subject for c in p7] and len(p7) == 3  # a SET: order not kept


async def test_reissue_with_a_new_csr(client, upstream):
    first = await issue_by_http_token(client, upstream)
    old = await client.get_order(first.id)
    new_spec = spec(csr=make_csr(NAMES[0], NAMES))
    again = await client.reissue(first.id, new_spec)
    assert again.id == first.id
    assert again.request_status == "issued"  # names already validated on this order
    order = await client.get_order(first.id)
    assert order.certificate.id != old.certificate.id
    assert order.certificate.csr == new_spec.csr
    leaf = x509.load_pem_x509_certificate(
        (await client.download_pem_bundle(order.certificate.id)).leaf.encode()
    )
    assert leaf.public_key() == x509.load_pem_x509_csr(new_spec.csr.encode()).public_key()

    new_names = (*NAMES, "api.shop.test")
    pending = await client.reissue(first.id, spec(new_names))
    assert pending.request_status == "pending"
    status = await client.dcv_status(first.id)
    assert [d.name for d in status.domains if d.dcv_status == "pending"] == ["api.shop.test"]


async def test_cancel_pending_and_revoke_issued(client, upstream):
    pending = await client.order_certificate(order_request(("a.shop.test",)), "ent:2:issue:1")
    await client.cancel_order(pending.id, note="customer withdrew")
    assert (await client.get_order(pending.id)).status == "canceled"

    issued = await issue_by_http_token(client, upstream, ("b.shop.test",))
    order = await client.get_order(issued.id)
    revocation = await client.revoke(order.certificate.id, "key_compromise", "leaked key")
    assert (revocation.type, revocation.status) == ("revoke", "approved")
    order = await client.get_order(issued.id)
    assert (order.status, order.certificate.status) == ("revoked", "revoked")
    with pytest.raises(InvalidRequest) as twice:
        await client.revoke(order.certificate.id)
    assert twice.value.codes == ("certificate_already_revoked",)


async def test_dcv_by_email_approval_link(client, upstream):
    names = ("*.mail.test", "mail.test")
    answer = await client.order_certificate(order_request(names, dcv_method="email"), "ent:3")
    async with httpx.AsyncClient() as http:
        mails = (await http.get(f"{upstream.url}/sandbox/emails")).json()["emails"]
        assert {m["to"] for m in mails} == {"admin@mail.test"}
        for mail in mails:
            followed = await http.get(mail["approve_url"])
            assert followed.status_code == 200
    order = await client.get_order(answer.id)
    assert order.status == "issued"
    bundle = await client.download_pem_bundle(order.certificate.id)
    assert sorted(sans(bundle.leaf)) == sorted(names)


async def test_redeem_a_voucher_and_cancel_gives_it_back(client, upstream):
    line = VoucherLine("ssl_basic", quantity=1, validity_years=2, no_of_fqdns=2)
    vorder = await client.create_voucher_order(VoucherOrderRequest((line,)), "line:9:fulfil")
    (code,) = await client.voucher_codes(vorder.id)

    too_many = order_request(("x.shop.test", "y.shop.test", "z.shop.test"), voucher_code=code.value)
    with pytest.raises(InvalidRequest) as refused:
        await client.order_certificate(too_many, "ent:4:issue:1")
    assert refused.value.codes == ("voucher_names_exceeded",)

    answer = await client.order_certificate(order_request(voucher_code=code.value), "ent:5")
    (used,) = await client.voucher_codes(vorder.id)
    assert (used.status, used.certificate_order_id) == ("used", answer.id)
    order = await client.get_order(answer.id)
    assert order.validity_years == 2 and order.voucher_code == code.value
    assert not (await client.get_voucher_order(vorder.id)).can_cancel

    await client.cancel_order(answer.id)
    (back,) = await client.voucher_codes(vorder.id)
    assert (back.status, back.redeem_by) == ("active", code.redeem_by)


async def test_wrong_api_key_is_a_typed_error(upstream):
    from plugins.digicert.client import CertCentralClient
    from plugins.digicert.errors import AuthenticationFailed

    async with CertCentralClient("wrong", upstream.api_url) as bad:
        with pytest.raises(AuthenticationFailed) as refused:
            await bad.list_voucher_orders()
    assert refused.value.codes == ("invalid_api_key",)
