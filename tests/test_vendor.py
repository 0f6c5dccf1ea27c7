"""The vendored remark.js and mermaid must be exactly the pinned releases, and licensed."""

import hashlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_fetch_vendor():
    # scripts/ is not a package; load the script as a module to share its pin.
    spec = importlib.util.spec_from_file_location(
        "fetch_vendor", ROOT / "scripts" / "fetch_vendor.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch_vendor = _load_fetch_vendor()


def test_remark_min_js_matches_pinned_hash():
    data = (ROOT / "assets" / "vendor" / "remark.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == fetch_vendor.REMARK_MIN_JS_SHA256


def test_remark_license_is_vendored():
    license_file = ROOT / "assets" / "vendor" / "remark.LICENSE"
    assert license_file.is_file()
    text = license_file.read_text(encoding="utf-8")
    assert "Permission is hereby granted" in text


def test_check_mode_passes_offline():
    assert fetch_vendor.main(["--check"]) == 0


def test_mermaid_min_js_matches_pinned_hash():
    data = (ROOT / "assets" / "vendor" / "mermaid.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == fetch_vendor.MERMAID_MIN_JS_SHA256


def test_mermaid_license_is_vendored():
    text = (ROOT / "assets" / "vendor" / "mermaid.LICENSE").read_text(encoding="utf-8")
    assert "MIT" in text and "Permission is hereby granted" in text


def test_readme_lists_what_the_script_pins():
    # The README is written by the script: a pin changed by hand shows here.
    assert (ROOT / "assets" / "vendor" / "README.md").read_text(encoding="utf-8") == fetch_vendor.README_TEXT


@pytest.mark.parametrize("name", ["remark", "mermaid"])
def test_check_mode_fails_on_a_changed_file(name, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fetch_vendor, "VENDOR_DIR", tmp_path)
    monkeypatch.setattr(fetch_vendor, "ROOT", tmp_path.parent)
    (tmp_path / f"{name}.min.js").write_bytes(b"/* not the release */")
    (tmp_path / f"{name}.LICENSE").write_text("MIT", encoding="utf-8")
    assert fetch_vendor.main(["--check", name]) == 1
    assert f"{name}.min.js: sha256" in capsys.readouterr().err
