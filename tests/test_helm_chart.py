"""The Helm chart and its image stay in step with the code: no template reads a value that
``values.yaml`` lacks, and the image copies every top-level package the distribution ships."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "helm" / "shomei"
VALUE_PATH = re.compile(r"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _lookup(values: dict[str, Any], dotted: str) -> bool:
    node: Any = values
    for part in dotted.strip(".").split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_every_value_a_template_reads_is_defined() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    read = {
        match.group(1)
        for template in (CHART / "templates").iterdir()
        for match in VALUE_PATH.finditer(template.read_text(encoding="utf-8"))
    }
    assert read, "the templates read no values: the pattern is wrong"
    assert sorted(path for path in read if not _lookup(values, path)) == []


def test_chart_runs_every_process_of_the_cli() -> None:
    rendered = "\n".join(p.read_text(encoding="utf-8") for p in (CHART / "templates").iterdir())
    for command in ("migrate", "serve", "worker", "beat"):
        assert f'["{command}"' in rendered, command


def test_image_copies_every_top_level_package() -> None:
    dockerfile = (ROOT / "helm" / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, flags=re.MULTILINE))
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages and packages <= copied, packages - copied
