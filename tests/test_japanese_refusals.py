"""Refusals read in Japanese carry no English fragments (issue 14): in every ``ja`` catalog, a
refusal message (its id says invalid, required, missing, not ..., cannot ..., unknown, ...)
has no English word outside its placeholders, examples (``例:``), product and standard names
written in capitals (CSR, FQDN, DigiCert, UTF-8) and host names. The JSON API's messages about
its own request fields (``storefront.session.*``, ``api.*``) name those fields on purpose."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFUSAL = re.compile(
    r"invalid|required|missing|not_|cannot|unknown|refused|rejected|too_|out_of_range|"
    r"mismatch|reused|expired|after_|exceeded|no_|forbidden|duplicate|taken|wrong"
)
API_FACING = ("storefront.session.", "api.", "wallet.topup_key")
ALLOWED = re.compile(
    r"\{[^}]*\}"  # placeholders
    "|例[:\uff1a][^)\uff09]*"  # examples (half- or full-width colon), to the parenthesis
    r"|[\w.-]*@[\w.-]*|[\w-]+(\.[\w-]+)+"  # mail addresses, host and file names
    r"|https?(\(s\))?://|/[\w/]+"  # URL schemes and paths
    r"|\b[A-Z][\w/-]*"  # CSR, FQDN, DigiCert, UTF-8, Shift_JIS, Pay As You Go, T
)


def catalogs() -> list[Path]:
    return sorted(
        p
        for p in ROOT.glob("**/locale/ja.json")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    )


def test_japanese_refusals_have_no_english_words():
    found = []
    for path in catalogs():
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if not REFUSAL.search(key) or key.startswith(API_FACING):
                continue
            rest = ALLOWED.sub("", text)
            words = re.findall(r"[a-z]{2,}", rest)
            if words:
                found.append(f"{path.relative_to(ROOT)} {key}: {text} ({words})")
    assert found == []
