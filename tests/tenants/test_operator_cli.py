"""``shomei operator-add``: the first operator of an install, made from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.processes import run_shomei, shomei_env
from tests.tenants.helpers import unique


def test_operator_add_makes_an_operator_and_refuses_bad_input_naming_the_field(
    tmp_path: Path, database
):
    env = shomei_env(make_settings(tmp_path / "var", database))
    email = f"{unique('ops')}@example.jp"
    args = ["operator-add", "--email", email, "--name", "運用 太郎", "--password-stdin"]
    added = run_shomei(args, env, stdin="a good long pass phrase\n")
    assert added.returncode == 0, added.stderr
    assert f"operator {email} added" in added.stdout

    again = run_shomei(args, env, stdin="another good pass phrase\n")
    assert again.returncode == 1
    assert again.stderr.startswith("shomei: email: ")

    bad = ["operator-add", "--email", "not-an-address", "--name", "", "--password-stdin"]
    refused = run_shomei(bad, env, stdin="short\n")
    assert refused.returncode == 1
    fields = [line.split(":")[1].strip() for line in refused.stderr.splitlines()]
    assert fields == ["email", "display_name", "password"]
