import ipaddress
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from core.certificates.csr import parse_csr
from core.certificates.names import name_error, name_errors
from core.errors import ValidationFailed
from tests.csr_helpers import make_csr, rsa_key

LOCALE = Path(__file__).parents[2] / "core" / "locale"
LANGS = ("ja", "en")


def refusal(csr_pem: str) -> tuple[str, str, dict]:
    with pytest.raises(ValidationFailed) as caught:
        parse_csr(csr_pem)
    [error] = caught.value.errors
    return error.field, error.message_id, error.params


def test_an_ecdsa_csr_gives_its_names_cn_first_without_duplicates():
    info = parse_csr(make_csr("www.example.com", ("example.com", "www.example.com")))
    assert info.common_name == "www.example.com"
    assert info.dns_names == ("www.example.com", "example.com")
    assert info.key_description == "ECDSA P-256"


def test_rsa_2048_and_p384_are_accepted():
    assert parse_csr(make_csr(key=rsa_key(2048))).key_description == "RSA 2048"
    p384 = make_csr(key=ec.generate_private_key(ec.SECP384R1()))
    assert parse_csr(p384).key_description == "ECDSA P-384"


def test_a_csr_without_cn_gives_its_san_names():
    info = parse_csr(make_csr(None, ("a.example.com",)))
    assert info.common_name is None
    assert info.dns_names == ("a.example.com",)


def test_the_public_key_is_the_csr_key():
    key = ec.generate_private_key(ec.SECP256R1())
    info = parse_csr(make_csr(key=key))
    assert info.public_key.public_numbers() == key.public_key().public_numbers()


def test_rsa_1024_is_refused():
    assert refusal(make_csr(key=rsa_key(1024))) == (
        "csr",
        "csr.rsa_key_too_small",
        {"bits": 1024, "minimum": 2048},
    )


def test_p521_is_refused():
    csr = make_csr(key=ec.generate_private_key(ec.SECP521R1()))
    assert refusal(csr) == ("csr", "csr.curve_not_allowed", {"curve": "secp521r1"})


def test_ed25519_is_refused():
    field, message_id, _ = refusal(make_csr(key=ed25519.Ed25519PrivateKey.generate()))
    assert (field, message_id) == ("csr", "csr.key_type_not_allowed")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hello",
        "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        "証明書署名要求",
    ],
)
def test_garbage_is_refused(garbage):
    assert refusal(garbage)[:2] == ("csr", "csr.unreadable")


def test_a_tampered_csr_is_refused_for_its_signature():
    pem = make_csr("www.example.com", ())
    der = x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER)
    tampered = x509.load_der_x509_csr(der.replace(b"www.example.com", b"www.exbmple.com"))
    tampered_pem = tampered.public_bytes(serialization.Encoding.PEM).decode()
    assert refusal(tampered_pem)[:2] == ("csr", "csr.bad_signature")


def test_every_csr_message_has_japanese_and_english_text():
    catalogs = {lang: json.loads((LOCALE / f"{lang}.json").read_text("utf-8")) for lang in LANGS}
    ids = {
        "csr.unreadable",
        "csr.bad_signature",
        "csr.rsa_key_too_small",
        "csr.curve_not_allowed",
        "csr.key_type_not_allowed",
        "csr.no_names",
        "csr.name_not_dns",
        "csr.name_invalid",
        "csr.internal_name",
    }
    for messages in catalogs.values():
        assert ids <= set(messages)
    assert catalogs["ja"]["csr.rsa_key_too_small"].format(bits=1024, minimum=2048)


def _csr_with_sans(common_name: str, *names: x509.GeneralName) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def test_an_ip_address_san_is_refused_not_dropped():
    csr = _csr_with_sans(
        "www.example.com",
        x509.DNSName("www.example.com"),
        x509.IPAddress(ipaddress.ip_address("192.0.2.7")),
    )
    assert refusal(csr) == ("csr", "csr.name_not_dns", {"names": "192.0.2.7"})


def test_an_email_san_and_an_ip_common_name_are_refused():
    email = _csr_with_sans("www.example.com", x509.RFC822Name("admin@example.com"))
    assert refusal(email) == ("csr", "csr.name_not_dns", {"names": "admin@example.com"})
    assert refusal(_csr_with_sans("2001:db8::1")) == (
        "csr",
        "csr.name_not_dns",
        {"names": "2001:db8::1"},
    )


# -- the name rule (core.certificates.names), one for every issuer ----------------------------


@pytest.mark.parametrize(
    ("name", "message_id"),
    [
        ("10.0.0.5", "csr.name_not_dns"),  # an IP address written as a DNS name
        ("::1", "csr.name_not_dns"),
        ("*.10.0.0.5", "csr.name_not_dns"),
        ("a.*.example.com", "csr.name_invalid"),
        ("*example.com", "csr.name_invalid"),
        ("-www.example.com", "csr.name_invalid"),
        ("www-.example.com", "csr.name_invalid"),
        ("www..example.com", "csr.name_invalid"),
        ("under_score.example.com", "csr.name_invalid"),
        ("x" * 64 + ".example.com", "csr.name_invalid"),
        (".".join(["a" * 63] * 4) + ".com", "csr.name_invalid"),  # over 253 characters
        ("localhost", "csr.internal_name"),
        ("intranet", "csr.internal_name"),
        ("printer.local", "csr.internal_name"),
        ("db.internal", "csr.internal_name"),
        ("*.corp", "csr.internal_name"),
    ],
)
def test_names_a_server_certificate_may_not_carry(name, message_id):
    error = name_error(name)
    assert error is not None and (error.field, error.message_id) == ("csr", message_id)


@pytest.mark.parametrize(
    "name", ["www.example.com", "*.example.com", "WWW.Example.COM", "xn--r8jz45g.jp", "a.b.c.test"]
)
def test_names_a_server_certificate_may_carry(name):
    assert name_error(name) is None


@pytest.mark.parametrize("name", ["10.0.0.5", "::1", "192.0.2.7"])
def test_an_ip_address_as_a_dns_name_san_is_refused(name):
    csr = _csr_with_sans("www.example.com", x509.DNSName("www.example.com"), x509.DNSName(name))
    assert refusal(csr) == ("csr", "csr.name_not_dns", {"names": name})


def test_every_bad_name_of_a_server_csr_is_named_at_once():
    csr = make_csr("www.example.com", ("www.example.com", "printer.local", "a.*.example.com"))
    with pytest.raises(ValidationFailed) as caught:
        parse_csr(csr)
    assert [(e.message_id, e.params) for e in caught.value.errors] == [
        ("csr.internal_name", {"name": "printer.local"}),
        ("csr.name_invalid", {"name": "a.*.example.com"}),
    ]
    assert name_errors(["ok.example.com", "intranet"], field="dns_names")[0].field == "dns_names"


def test_a_client_csr_keeps_its_email_and_uri_sans():
    csr = _csr_with_sans(
        "Taro Yamada",
        x509.RFC822Name("taro@example.jp"),
        x509.UniformResourceIdentifier("urn:example:terminal:1"),
        x509.DNSName("terminal1.example.jp"),
    )
    info = parse_csr(csr, "client")
    assert info.common_name == "Taro Yamada"  # a person's name, not a host name
    assert info.email_addresses == ("taro@example.jp",)
    assert info.uris == ("urn:example:terminal:1",)
    assert info.dns_names == ("terminal1.example.jp",)
    field, message_id, params = refusal(csr)  # the same CSR for a server certificate
    assert (field, message_id) == ("csr", "csr.name_not_dns")
    assert params["names"] == "taro@example.jp, urn:example:terminal:1"


def test_a_client_csr_still_refuses_ip_sans_and_bad_dns_names():
    ip = _csr_with_sans("Terminal 1", x509.IPAddress(ipaddress.ip_address("10.0.0.5")))
    with pytest.raises(ValidationFailed) as caught:
        parse_csr(ip, "client")
    assert caught.value.errors[0].message_id == "csr.name_not_dns"
    dns_ip = _csr_with_sans("Terminal 1", x509.DNSName("10.0.0.5"))
    with pytest.raises(ValidationFailed) as caught:
        parse_csr(dns_ip, "client")
    assert caught.value.errors[0].message_id == "csr.name_not_dns"
