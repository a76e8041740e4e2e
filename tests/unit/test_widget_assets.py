"""The widget's files: no way for message text to become HTML, no third-party address, every
language complete, and the vendored socket.io client exactly the recorded release."""
from __future__ import annotations

import hashlib
import json
import re

from tests.conftest import ROOT

WIDGET = ROOT / "web" / "widget"
VENDOR = WIDGET / "vendor"


def test_the_widget_never_parses_html():
    code = (WIDGET / "lotse-widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"):
        assert sink not in code, sink


def test_widget_files_name_no_third_party_address():
    allowed = {"http://www.w3.org/2000/svg"}  # an XML namespace, never requested
    for path in (WIDGET / "lotse-widget.js", WIDGET / "lotse-widget.css", WIDGET / "strings.json"):
        text = path.read_text(encoding="utf-8")
        addresses = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text)) - allowed
        assert {a for a in addresses if "SERVER" not in a} == set(), path.name


def test_every_language_has_every_text():
    table = json.loads((WIDGET / "strings.json").read_text(encoding="utf-8"))
    assert "de" in table
    keys = set(table["de"])
    for language, texts in table.items():
        assert re.fullmatch(r"[a-z]{2,3}", language)
        assert set(texts) == keys, language
        assert all(isinstance(v, str) and v.strip() for v in texts.values()), language


def test_vendored_socket_io_is_the_recorded_release_with_its_licence():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    files = [p for p in VENDOR.glob("*.js")]
    assert files
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{path.name}`" in readme and digest in readme, path.name
        assert path.name in (WIDGET / "lotse-widget.js").read_text(encoding="utf-8")
    assert "MIT License" in (VENDOR / "socket.io-LICENSE").read_text(encoding="utf-8")
