import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from core.i18n import Translator, load_catalogs, missing_translations
from tenants.onboarding import sign_up_tenant
from tenants.resolution import base_domain, resolve_host
from tenants.tenant_settings import get_settings, update_settings
from tests.conftest import make_settings
from tests.tenants.helpers import START, active_tenant, signup_form, staff_context, unique

pytestmark = pytest.mark.usefixtures("database")
BASE = "shomei.example.jp"


def ids(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message_id for e in exc.value.errors}


async def test_settings_are_validated_and_saved():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        with pytest.raises(ValidationFailed) as exc:
            await update_settings(
                ctx,
                {
                    "primary_colour": "#12345",
                    "accent_colour": "red",
                    "language": "fr",
                    "time_zone": "Mars/Olympus",
                    "logo_url": "http://insecure.example/logo.png",
                    "tax_rounding": "bankers",
                    "default_payment_term": "NET15",
                    "registration_number": "T1234567890123",
                    "favourite_food": "sushi",
                },
            )
        assert ids(exc) == {"favourite_food": "tenants.setting_unknown"}
        with pytest.raises(ValidationFailed) as exc:
            await update_settings(
                ctx,
                {
                    "primary_colour": "#12345",
                    "accent_colour": "red",
                    "language": "fr",
                    "time_zone": "Mars/Olympus",
                    "logo_url": "http://insecure.example/logo.png",
                    "tax_rounding": "bankers",
                    "default_payment_term": "NET15",
                    "registration_number": "T1234567890123",
                },
            )
        assert ids(exc) == {
            "primary_colour": "tenants.colour_invalid",
            "accent_colour": "tenants.colour_invalid",
            "language": "tenants.language_invalid",
            "time_zone": "tenants.time_zone_invalid",
            "logo_url": "tenants.url_invalid",
            "tax_rounding": "tenants.tax_rounding_invalid",
            "default_payment_term": "tenants.payment_term_invalid",
            "registration_number": "tenants.registration_number_check_digit",
        }
        saved = await update_settings(
            ctx,
            {
                "primary_colour": "#a1b2c3",
                "language": "en",
                "logo_url": "https://www.example.jp/logo.png",
                "footer_text": "© Example",
                "tax_rounding": "half_up",
                "default_payment_term": "NET30EOM",
                "registration_number": "T1180301018771",
            },
        )
        assert saved.primary_colour == "#A1B2C3" and saved.tax_rounding == "half_up"
        assert saved.default_payment_term == "NET30EOM"
        assert (await get_settings(ctx)).company.registration_number == "T1180301018771"


async def test_resolution_by_subdomain_and_custom_domain():
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    domain = f"{unique('shop')}.example.co.jp"
    with tenant_scope(result.tenant):
        await update_settings(ctx, {"custom_domain": domain.upper() + "."})
    assert (await resolve_host(f"{form.slug}.{BASE}:8443", BASE)).id == result.tenant.id
    assert (await resolve_host(domain, BASE)).id == result.tenant.id
    for host in (f"nobody.{BASE}", "unknown.example.com", f"a.{form.slug}.{BASE}", BASE):
        with pytest.raises(ValidationFailed) as exc:
            await resolve_host(host, BASE)
        assert ids(exc) == {"host": "tenants.host_unknown"}
    other, _ = await active_tenant(clock)
    with tenant_scope(other.tenant), pytest.raises(ValidationFailed) as exc:
        await update_settings(
            staff_context(other.tenant, other.owner_id, clock), {"custom_domain": domain}
        )
    assert ids(exc) == {"custom_domain": "tenants.domain_taken"}


async def test_a_pending_tenant_is_not_served_unless_asked(tmp_path, database):
    form = signup_form()
    result = await sign_up_tenant(form, FrozenClock(START))
    with pytest.raises(ValidationFailed) as exc:
        await resolve_host(f"{form.slug}.{BASE}", BASE)
    assert ids(exc) == {"host": "tenants.tenant_not_active"}
    found = await resolve_host(f"{form.slug}.{BASE}", BASE, allow_inactive=True)
    assert found.id == result.tenant.id
    settings = make_settings(tmp_path, database, public_url="https://Shomei.Example.JP:8443")
    assert base_domain(settings) == BASE


def test_messages_exist_in_both_languages_and_read_well():
    catalogs = load_catalogs("tenants")
    assert missing_translations(catalogs) == {}
    ja, en = Translator(catalogs, "ja"), Translator(catalogs, "en")
    assert ja("tenants.colour_invalid") == "色は #RRGGBB 形式(例: #1F4E79)で入力してください。"
    assert en("tenants.colour_invalid") == "Enter the colour as #RRGGBB (for example #1F4E79)."
    assert ja("tenants.host_unknown", host="x.example.jp").startswith("x.example.jp に対応する")
    assert en("tenants.password_too_short", minimum=10) == (
        "The password must be at least 10 characters long."
    )
    assert "チェックデジット" in ja("tenants.registration_number_check_digit")
    assert en("tenants.email_taken") == "This e-mail address is already registered."


def test_every_message_id_used_in_the_code_is_in_the_catalog():
    import pathlib
    import re

    used = set()
    for path in pathlib.Path("tenants").glob("*.py"):
        used |= set(re.findall(r'"(tenants\.[a-z_]+)"', path.read_text()))
    used -= {"tenants.tables", "tenants.piccolo_app"}
    assert used <= set(load_catalogs("tenants")["ja"])
