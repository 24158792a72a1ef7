import stat

import pytest

from core.errors import ConfigError
from core.settings import Settings

SECRET = "s" * 40


def test_defaults_are_embedded(tmp_path):
    settings = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    assert not settings.production
    assert settings.database_url == f"sqlite:///{tmp_path / 'shomei.sqlite3'}"
    assert settings.broker_url == "filesystem://"
    assert settings.default_language == "ja"
    assert settings.public_url == "http://localhost:8000"
    assert settings.upstream_retry_delay == 30


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    second = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_postgres_and_redis_switch_to_production(tmp_path):
    settings = Settings.from_env(
        {
            "SHOMEI_VAR_DIR": str(tmp_path),
            "SHOMEI_DATABASE_URL": "postgresql://shomei@db.internal:5432/shomei",
            "SHOMEI_BROKER_URL": "redis://cache.internal:6379/0",
            "SHOMEI_SECRET_KEY": SECRET,
        }
    )
    assert settings.production
    assert settings.secret_key == SECRET
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("env", "setting", "words"),
    [
        ({"SHOMEI_DATABASE_URL": "mysql://x/y"}, "SHOMEI_DATABASE_URL", "neither sqlite"),
        (
            {"SHOMEI_DATABASE_URL": "postgresql://u@h:99x/db"},
            "SHOMEI_DATABASE_URL",
            "malformed port",
        ),
        (
            {"SHOMEI_DATABASE_URL": "postgresql://u@h:5432"},
            "SHOMEI_DATABASE_URL",
            "name a host and a database",
        ),
        ({"SHOMEI_DATABASE_URL": "sqlite://"}, "SHOMEI_DATABASE_URL", "sqlite:///"),
        (
            {"SHOMEI_DATABASE_URL": "postgresql://u@h/db", "SHOMEI_BROKER_URL": "redis://r/0"},
            "SHOMEI_SECRET_KEY",
            "required in production",
        ),
        (
            {"SHOMEI_DATABASE_URL": "postgresql://u@h/db", "SHOMEI_SECRET_KEY": SECRET},
            "SHOMEI_BROKER_URL",
            "needs a redis:// or amqp://",
        ),
        ({"SHOMEI_BROKER_URL": "kafka://k"}, "SHOMEI_BROKER_URL", "not a redis://"),
        (
            {"SHOMEI_MIGRATION_DATABASE_URL": "postgresql://owner@h/db"},
            "SHOMEI_MIGRATION_DATABASE_URL",
            "same kind of database",
        ),
        ({"SHOMEI_SECRET_KEY": "short"}, "SHOMEI_SECRET_KEY", "at least 32"),
        ({"SHOMEI_PORT": "http"}, "SHOMEI_PORT", "not a positive whole number"),
        ({"SHOMEI_PORT": "70000"}, "SHOMEI_PORT", "not a TCP port"),
        ({"SHOMEI_DEFAULT_LANGUAGE": "fr"}, "SHOMEI_DEFAULT_LANGUAGE", "ja, en"),
        ({"SHOMEI_LOAD_ENTRYPOINT_PLUGINS": "maybe"}, "SHOMEI_LOAD_ENTRYPOINT_PLUGINS", "1/0"),
        ({"SHOMEI_PUBLIC_URL": "ftp://x"}, "SHOMEI_PUBLIC_URL", "http://"),
        ({"SHOMEI_STRIPE_API_BASE": "localhost:8420"}, "SHOMEI_STRIPE_API_BASE", "http://"),
        (
            {"SHOMEI_UPSTREAM_RETRY_DELAY": "0"},
            "SHOMEI_UPSTREAM_RETRY_DELAY",
            "not a positive whole number",
        ),
    ],
)
def test_bad_settings_name_the_setting(tmp_path, env, setting, words):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path), **env})
    assert caught.value.setting == setting
    assert words in caught.value.problem


def test_settings_are_read_through_a_cached_getter_not_at_import(monkeypatch, tmp_path):
    from core import settings as module

    module.get_settings.cache_clear()
    monkeypatch.setenv("SHOMEI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SHOMEI_PORT", "8123")
    try:
        assert module.get_settings().port == 8123
        monkeypatch.setenv("SHOMEI_PORT", "9000")
        assert module.get_settings().port == 8123  # cached for the process
    finally:
        module.get_settings.cache_clear()


def test_the_stripe_api_base_is_stripes_unless_a_sandbox_is_named(tmp_path):
    default = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    assert default.stripe_api_base == "https://api.stripe.com" and not default.stripe_sandbox
    local = Settings.from_env(
        {"SHOMEI_VAR_DIR": str(tmp_path), "SHOMEI_STRIPE_API_BASE": "http://127.0.0.1:8420/"}
    )
    assert local.stripe_api_base == "http://127.0.0.1:8420" and local.stripe_sandbox
