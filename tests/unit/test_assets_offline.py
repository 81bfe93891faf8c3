"""The dashboard's assets work offline: no CSS fetches from the internet, every url() exists, map shapes ship."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dash import Dash, html

ASSETS = Path(__file__).resolve().parents[2] / "assets"
VENDOR = ASSETS / "vendor"
BOOTSTRAP_CSS = ASSETS / "00_bootstrap.min.css"
ICONS_CSS = ASSETS / "01_bootstrap-icons.min.css"
WORLD_TOPOJSON = VENDOR / "topojson" / "world_110m.json"
CSS_FILES = sorted(ASSETS.rglob("*.css"))

COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<target>.*?)(?P=quote)\s*\)""", re.DOTALL)
IMPORT = re.compile(r"""@import\s+(?P<quote>['"])(?P<target>.*?)(?P=quote)""")
REMOTE = re.compile(r"(?:https?:)?//[\w.-]+", re.IGNORECASE)


def _css_without_comments(path: Path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8"))


def _references(css: str) -> list[str]:
    return [m["target"].strip() for m in URL.finditer(css)] + [m["target"].strip() for m in IMPORT.finditer(css)]


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ASSETS)) for path in paths]


def test_asof001_vendor_files_present():
    for path in (BOOTSTRAP_CSS, ICONS_CSS, WORLD_TOPOJSON, VENDOR / "README.md"):
        assert path.is_file(), f"missing {path.relative_to(ASSETS)}"
    assert (VENDOR / "fonts" / "bootstrap-icons.woff2").is_file()


@pytest.mark.parametrize("css_path", CSS_FILES, ids=_ids(CSS_FILES))
def test_asof002_css_fetches_nothing_remote(css_path: Path):
    css = _css_without_comments(css_path)
    local = URL.sub(lambda m: "" if m["target"].strip().startswith("data:") else m[0], css)
    remote = [ref for ref in _references(local) if REMOTE.match(ref)]
    assert remote == [], f"{css_path.name} loads from the internet: {remote}"
    assert "sourceMappingURL" not in css_path.read_text(encoding="utf-8"), "source map reference to a missing file"


@pytest.mark.parametrize("css_path", CSS_FILES, ids=_ids(CSS_FILES))
def test_asof003_css_urls_resolve_to_files(css_path: Path):
    missing = []
    for ref in _references(_css_without_comments(css_path)):
        if ref.startswith(("data:", "#")) or REMOTE.match(ref):
            continue
        relative = ref.split("?", 1)[0].split("#", 1)[0]
        target = ASSETS / relative.removeprefix("/assets/") if relative.startswith("/") else css_path.parent / relative
        if not target.resolve().is_file():
            missing.append(ref)
    assert missing == [], f"{css_path.name} refers to missing files: {missing}"


def test_asof004_world_topojson_has_countries():
    topology = json.loads(WORLD_TOPOJSON.read_text(encoding="utf-8"))
    assert topology["type"] == "Topology"
    assert {"countries", "land", "coastlines"} <= set(topology["objects"])
    countries = topology["objects"]["countries"]
    assert countries["type"] == "GeometryCollection"
    ids = {geometry.get("id") for geometry in countries["geometries"]}
    assert {"FRA", "BRA", "KEN", "PHL", "USA"} <= ids  # plotly matches ISO-3 locations on these ids
    assert topology["arcs"]


def test_asof005_bootstrap_loads_before_any_other_css():
    """Dash links root-level assets first, by name, then subfolders: the app's CSS must come after Bootstrap."""
    app = Dash(__name__, assets_folder=str(ASSETS))
    app.layout = html.Div()
    page = app.server.test_client().get("/").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="/assets/([^"?]+)', page)
    assert links, "no asset stylesheet in the page"
    assert links[:2] == ["00_bootstrap.min.css", "01_bootstrap-icons.min.css"], f"Bootstrap must load first: {links}"
