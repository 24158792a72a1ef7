import asyncio
import itertools
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.contracts.common import PluginAccount
from core.contracts.issuers import CertificateRequest, IssuanceState, Issuer, RevocationReason
from core.errors import ConfigError, ValidationFailed
from core.plugins import Registry, build_plugin_manager, piccolo_app_modules
from plugins.private_ca.issuer import (
    AlreadyRevoked,
    IdempotencyKeyReused,
    PrivateCAIssuer,
    UnknownCertificate,
)
from plugins.private_ca.sealing import KeySealer
from plugins.private_ca.tables import SignedCertificate, TenantCA
from tests.csr_helpers import make_csr, rsa_key

SECRET = "private-ca-test-secret-" + "y" * 32
NAMES = ("www.example.com", "example.com", "shop.example.com")
_tenant_ids = itertools.count(1000)

pytestmark = pytest.mark.usefixtures("database")


def context(when: datetime = datetime(2026, 3, 14, 12, tzinfo=UTC), key: str = "k1") -> Context:
    tenant_id = next(_tenant_ids)
    return Context(
        tenant=TenantRef(id=tenant_id, slug=f"tenant{tenant_id}"),
        actor=Actor.system("test"),
        clock=FrozenClock(when),
        idempotency_key=key,
    )


def request(csr_pem: str | None = None, **changes: object) -> CertificateRequest:
    plain = CertificateRequest(
        csr_pem=csr_pem or make_csr(NAMES[0], NAMES),
        common_name=NAMES[0],
        dns_names=NAMES,
        validity_days=398,
    )
    return replace(plain, **changes)


@pytest.fixture
def issuer() -> PrivateCAIssuer:
    return PrivateCAIssuer(PluginAccount(secret_key=SECRET))


def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def openssl_verify(tmp_path, issued, purpose: str, at: datetime, leaf_pem: str = ""):
    """``openssl verify`` of the issued leaf (or ``leaf_pem``) against the issued chain."""
    intermediate, root = x509.load_pem_x509_certificates(issued.chain_pem.encode())
    files = {"leaf": leaf_pem or issued.certificate_pem}
    files |= {"intermediate": _pem(intermediate), "root": _pem(root)}
    for name, pem in files.items():
        (tmp_path / f"{name}.pem").write_text(pem)
    command = ["openssl", "verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem"]
    command += ["-purpose", purpose, "-attime", str(int(at.timestamp())), "leaf.pem"]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_the_plugin_registers_its_issuer_and_piccolo_app():
    pm = build_plugin_manager(load_entrypoints=False)
    assert Registry(pm).issuer("private_ca") is PrivateCAIssuer
    assert "plugins.private_ca.piccolo_app" in piccolo_app_modules(pm)
    assert isinstance(PrivateCAIssuer(PluginAccount(secret_key=SECRET)), Issuer)


def test_without_a_secret_key_the_issuer_refuses_to_start():
    with pytest.raises(ConfigError):
        PrivateCAIssuer(PluginAccount())


async def test_an_issued_certificate_matches_the_csr_and_verifies_with_openssl(issuer, tmp_path):
    key = rsa_key(2048)
    csr_pem = make_csr(NAMES[0], NAMES, key=key)
    ctx = context()
    result = await issuer.issue(ctx, request(csr_pem))

    assert result.state is IssuanceState.ISSUED
    assert result.upstream_ref == result.certificate.serial_hex
    leaf = certificate(result.certificate.certificate_pem)
    assert leaf.serial_number == int(result.certificate.serial_hex, 16)
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert tuple(sans.get_values_for_type(x509.DNSName)) == NAMES
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert leaf.not_valid_before_utc == ctx.clock.now() == result.certificate.not_before

    later = ctx.clock.now() + timedelta(hours=1)
    verified = openssl_verify(tmp_path, result.certificate, "sslserver", later)
    assert verified.returncode == 0, verified.stderr
    assert "leaf.pem: OK" in verified.stdout
    assert openssl_verify(tmp_path, result.certificate, "sslclient", later).returncode != 0


async def test_the_csr_names_are_used_when_the_request_names_none(issuer):
    csr_pem = make_csr("api.example.org", ("api.example.org", "example.org"))
    result = await issuer.issue(context(), request(csr_pem, common_name="", dns_names=()))
    leaf = certificate(result.certificate.certificate_pem)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["api.example.org", "example.org"]


@pytest.mark.parametrize(
    ("issued_at", "days"),
    [
        (datetime(2026, 3, 14, 12, tzinfo=UTC), 398),
        (datetime(2026, 3, 15, 12, tzinfo=UTC), 200),
        (datetime(2027, 3, 15, 12, tzinfo=UTC), 100),
        (datetime(2029, 3, 15, 12, tzinfo=UTC), 47),
    ],
)
async def test_server_validity_is_capped_by_the_issue_date(issuer, issued_at, days):
    result = await issuer.issue(context(issued_at), request(validity_days=398))
    leaf = certificate(result.certificate.certificate_pem)
    expected = issued_at + timedelta(days=days) - timedelta(seconds=1)
    assert leaf.not_valid_before_utc == issued_at
    assert leaf.not_valid_after_utc == expected == result.certificate.not_after


async def test_a_shorter_request_is_not_lengthened(issuer):
    ctx = context(datetime(2026, 3, 15, tzinfo=UTC))
    cert = (await issuer.issue(ctx, request(validity_days=90))).certificate
    assert cert.not_after - cert.not_before == timedelta(days=90, seconds=-1)


async def test_a_client_certificate_has_client_auth_and_a_full_year(issuer, tmp_path):
    ctx = context(datetime(2029, 6, 1, tzinfo=UTC))
    csr_pem = make_csr("NACCS-TERMINAL-0001", ())
    client = request(csr_pem, common_name="", dns_names=(), validity_days=365, profile="client")
    result = await issuer.issue(ctx, client)

    leaf = certificate(result.certificate.certificate_pem)
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert leaf.subject.rfc4514_string() == "CN=NACCS-TERMINAL-0001"
    assert result.certificate.not_after - result.certificate.not_before == timedelta(
        days=365, seconds=-1
    )
    verified = openssl_verify(tmp_path, result.certificate, "sslclient", ctx.clock.now())
    assert verified.returncode == 0, verified.stderr


async def test_issue_is_idempotent_per_key(issuer):
    ctx = context()
    same = request()
    first = await issuer.issue(ctx, same)
    again = await issuer.issue(ctx, same)
    assert again == first
    other = await issuer.issue(ctx.with_key("k2"), same)
    assert other.certificate.serial_hex != first.certificate.serial_hex
    assert await SignedCertificate.count().where(SignedCertificate.tenant_id == ctx.tenant.id) == 2


async def test_concurrent_issues_with_one_key_give_one_certificate(issuer):
    ctx = context()
    same = request()
    results = await asyncio.gather(*(issuer.issue(ctx, same) for _ in range(4)))
    assert len({result.certificate.serial_hex for result in results}) == 1
    assert await SignedCertificate.count().where(SignedCertificate.tenant_id == ctx.tenant.id) == 1
    assert await TenantCA.count().where(TenantCA.tenant_id == ctx.tenant.id) == 1


async def test_a_key_reused_for_another_request_is_refused(issuer):
    ctx = context()
    await issuer.issue(ctx, request())
    with pytest.raises(IdempotencyKeyReused):
        await issuer.issue(ctx, request(validity_days=90))


async def test_poll_returns_the_stored_result(issuer):
    ctx = context()
    issued = await issuer.issue(ctx, request())
    ctx.clock.advance(timedelta(days=3))
    assert await issuer.poll(ctx, issued.upstream_ref) == issued
    assert await issuer.poll(ctx, issued.upstream_ref.upper()) == issued


async def test_two_tenants_have_separate_cas_and_cannot_touch_each_others_certificates(
    issuer, tmp_path
):
    alpha, beta = context(), context()
    a = await issuer.issue(alpha, request())
    b = await issuer.issue(beta, request())
    assert a.certificate.chain_pem != b.certificate.chain_pem

    # beta's leaf does not chain to alpha's root
    foreign_leaf = b.certificate.certificate_pem
    verified = openssl_verify(tmp_path, a.certificate, "sslserver", alpha.clock.now(), foreign_leaf)
    assert verified.returncode != 0

    with pytest.raises(UnknownCertificate):
        await issuer.poll(beta, a.upstream_ref)
    with pytest.raises(UnknownCertificate):
        await issuer.revoke(beta, a.upstream_ref, RevocationReason.KEY_COMPROMISE)
    row = await SignedCertificate.select().where(SignedCertificate.serial == a.upstream_ref).first()
    assert row["revoked_at"] is None


async def test_revocation_is_recorded_once_and_never_undone(issuer):
    ctx = context()
    serial = (await issuer.issue(ctx, request())).certificate.serial_hex
    ctx.clock.advance(timedelta(days=10))
    revoked_at = ctx.clock.now()
    await issuer.revoke(ctx, serial, RevocationReason.SUPERSEDED)

    ctx.clock.advance(timedelta(days=1))
    with pytest.raises(AlreadyRevoked):
        await issuer.revoke(ctx, serial, RevocationReason.KEY_COMPROMISE)

    [row] = await SignedCertificate.select().where(SignedCertificate.serial == serial)
    assert row["tenant_id"] == ctx.tenant.id
    assert row["revoked_at"] == revoked_at
    assert row["revocation_reason"] == "superseded"


@pytest.mark.parametrize("serial", ["0" * 32, "not-hex", ""])
async def test_revoking_an_unknown_serial_is_refused(issuer, serial):
    ctx = context()
    await issuer.issue(ctx, request())
    with pytest.raises(UnknownCertificate):
        await issuer.revoke(ctx, serial, RevocationReason.UNSPECIFIED)


async def test_ca_private_keys_are_stored_sealed(issuer):
    ctx = context()
    await issuer.issue(ctx, request())
    [row] = await TenantCA.raw(
        "SELECT root_key_sealed, intermediate_key_sealed FROM private_ca_authority"
        " WHERE tenant_id = {}",
        ctx.tenant.id,
    )
    for column in ("root_key_sealed", "intermediate_key_sealed"):
        raw = row[column]
        assert raw.startswith("v1:")
        assert "PRIVATE KEY" not in raw and "-----" not in raw
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(raw.encode(), password=None)

    label = f"tenant:{ctx.tenant.id}:intermediate"
    opened = KeySealer(SECRET).open(row["intermediate_key_sealed"], label)
    assert isinstance(opened, ec.EllipticCurvePrivateKey)
    with pytest.raises(ConfigError):
        KeySealer("another-secret-" + "z" * 32).open(row["intermediate_key_sealed"], label)
    with pytest.raises(ConfigError):  # a sealed key moved to another tenant does not open
        KeySealer(SECRET).open(row["intermediate_key_sealed"], "tenant:1:intermediate")


async def test_a_refused_csr_stores_nothing(issuer):
    ctx = context()
    with pytest.raises(ValidationFailed) as caught:
        await issuer.issue(ctx, request("garbage"))
    assert caught.value.errors[0].message_id == "csr.unreadable"
    with pytest.raises(ValidationFailed) as caught:
        await issuer.issue(ctx, request(make_csr(key=rsa_key(1024))))
    assert caught.value.errors[0].message_id == "csr.rsa_key_too_small"
    assert await SignedCertificate.count().where(SignedCertificate.tenant_id == ctx.tenant.id) == 0


async def test_a_server_certificate_needs_a_name(issuer):
    nameless = request(make_csr(None, ()), common_name="", dns_names=())
    with pytest.raises(ValidationFailed) as caught:
        await issuer.issue(context(), nameless)
    assert caught.value.errors[0].message_id == "csr.no_names"


def _csr_with_sans(common_name: str, *names: x509.GeneralName) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


async def test_a_client_certificate_keeps_the_csr_email_san(issuer, tmp_path):
    """The shared parser refuses e-mail SANs for server certificates only: a person's client
    certificate is issued with the e-mail address its CSR asks for."""
    ctx = context(datetime(2029, 6, 1, tzinfo=UTC))
    csr_pem = _csr_with_sans("Taro Yamada", x509.RFC822Name("taro@example.jp"))
    client = request(csr_pem, common_name="", dns_names=(), validity_days=365, profile="client")
    leaf = certificate((await issuer.issue(ctx, client)).certificate.certificate_pem)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.RFC822Name) == ["taro@example.jp"]
    assert leaf.subject.rfc4514_string() == "CN=Taro Yamada"
    with pytest.raises(ValidationFailed) as caught:  # the same CSR for a server certificate
        await issuer.issue(ctx.with_key("server"), replace(client, profile="server"))
    assert caught.value.errors[0].message_id == "csr.name_not_dns"


@pytest.mark.parametrize(
    ("changes", "message_id"),
    [
        ({"dns_names": ("www.example.com", "10.0.0.5")}, "csr.name_not_dns"),
        ({"common_name": "::1", "dns_names": ()}, "csr.name_not_dns"),
        ({"dns_names": ("www.example.com", "printer.local")}, "csr.internal_name"),
        ({"dns_names": ("a.*.example.com",)}, "csr.name_invalid"),
        ({"dns_names": ("10.0.0.5",), "profile": "client", "common_name": "T"}, "csr.name_not_dns"),
    ],
)
async def test_requested_names_obey_the_one_name_rule(issuer, changes, message_id):
    ctx = context()
    csr_pem = make_csr("www.example.com", ("www.example.com",))
    with pytest.raises(ValidationFailed) as caught:
        await issuer.issue(ctx, request(csr_pem, **changes))
    assert caught.value.errors[0].message_id == message_id
    assert await SignedCertificate.count().where(SignedCertificate.tenant_id == ctx.tenant.id) == 0


async def test_a_csr_with_an_ip_dns_name_is_refused(issuer):
    csr_pem = make_csr("www.example.com", ("www.example.com", "10.0.0.5"))
    with pytest.raises(ValidationFailed) as caught:
        await issuer.issue(context(), request(csr_pem, common_name="", dns_names=()))
    assert caught.value.errors[0].message_id == "csr.name_not_dns"
