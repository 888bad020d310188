"""The real registry and the fixture registries validate; bad entries are named with their field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import RegistryError, load_registry
from monitor.vocabulary.doctypes import PROVINCES
from tests.crawler.fixture_server import SITES


def test_the_bundled_registry_covers_national_all_provinces_cities_and_bureaus() -> None:
    sources = load_registry()
    levels = [s.level for s in sources]
    assert levels.count("national") >= 3
    assert {s.region for s in sources if s.level == "province"} == set(PROVINCES)
    assert levels.count("city") + levels.count("bureau") >= 10
    assert any(s.region == "全国" and "www.gov.cn" in s.start_urls[0] for s in sources)


@pytest.mark.parametrize("name", ["registry.yaml", "registry-auto.yaml"])
def test_fixture_registries_validate(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text((SITES / name).read_text(encoding="utf-8").replace("{base}", "http://127.0.0.1:1"), "utf-8")
    assert load_registry(path)


def test_a_bad_entry_is_named_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- {id: x-1, region: 某市, start_urls: [http://a/], notes: {1: 2}, 3: 4}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="source x-1: unknown field '3'"):
        load_registry(path)
