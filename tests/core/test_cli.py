"""Bad configuration ends every command with one line naming the setting, never a traceback."""

import pytest

from tests.conftest import REDIS_URL
from tests.processes import run_shomei, shomei_env

SECRET = "s" * 40


@pytest.mark.parametrize(
    ("command", "env", "expected"),
    [
        (
            "serve",
            {
                "SHOMEI_DATABASE_URL": "postgresql://shomei@127.0.0.1:1/shomei",
                "SHOMEI_BROKER_URL": REDIS_URL,
                "SHOMEI_SECRET_KEY": SECRET,
            },
            "SHOMEI_DATABASE_URL: cannot reach the database",
        ),
        (
            "worker",
            {
                "SHOMEI_DATABASE_URL": "postgresql://shomei@127.0.0.1:1/shomei",
                "SHOMEI_BROKER_URL": REDIS_URL,
                "SHOMEI_SECRET_KEY": SECRET,
            },
            "SHOMEI_DATABASE_URL: cannot reach the database",
        ),
        ("migrate", {"SHOMEI_DATABASE_URL": "postgres://u@db:port/x"}, "SHOMEI_DATABASE_URL: "),
        (
            "serve",
            {
                "SHOMEI_DATABASE_URL": "postgresql://postgres@127.0.0.1/postgres",
                "SHOMEI_BROKER_URL": REDIS_URL,
            },
            "SHOMEI_SECRET_KEY: is required in production mode",
        ),
        (
            "up",
            {"SHOMEI_BROKER_URL": "redis://127.0.0.1:1/0"},
            "SHOMEI_BROKER_URL: cannot reach the broker",
        ),
    ],
)
def test_bad_configuration_is_one_clear_line(tmp_path, command, env, expected):
    result = run_shomei([command], shomei_env(None, SHOMEI_VAR_DIR=str(tmp_path), **env))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_check_lists_every_problem_and_fails(tmp_path):
    env = shomei_env(
        None,
        SHOMEI_VAR_DIR=str(tmp_path),
        SHOMEI_DATABASE_URL="postgresql://shomei@127.0.0.1:1/shomei",
        SHOMEI_BROKER_URL="redis://127.0.0.1:1/0",
        SHOMEI_SECRET_KEY=SECRET,
    )
    result = run_shomei(["check"], env)
    assert result.returncode == 1
    assert "problem: SHOMEI_DATABASE_URL: cannot reach the database" in result.stdout
    assert "problem: SHOMEI_BROKER_URL: cannot reach the broker" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_says_ok_for_the_embedded_defaults(tmp_path):
    result = run_shomei(["check"], shomei_env(None, SHOMEI_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "configuration ok" in result.stdout
