"""Every setting read from the environment is documented in .env.example (README:
"Configuration")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_the_settings_read_is_in_env_example():
    settings = (ROOT / "aiq" / "settings.py").read_text()
    read = set(re.findall(r'env\.[a-z_]+\(\s*"([A-Z][A-Z0-9_]+)"', settings))
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )

    assert "CACHE_URL" in read  # the pattern finds what settings.py reads
    assert read - documented == set()
