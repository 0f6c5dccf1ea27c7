"""The vendored remark.js must be exactly the pinned release, and licensed."""

import hashlib
import importlib.util
from pathlib import Path

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
