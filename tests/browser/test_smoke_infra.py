"""Driver set-up works: a tiny standalone Dash app on the project's assets renders offline with a clean console."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from dash import Dash, dcc, html

ASSETS = Path(__file__).resolve().parents[2] / "assets"
TOPOJSON_URL = "/assets/vendor/topojson/"


def _tiny_app() -> Dash:
    app = Dash(__name__, assets_folder=str(ASSETS))
    figure = go.Figure(go.Choropleth(locations=["FRA", "BRA", "KEN"], z=[1, 2, 3]))
    app.layout = html.Div(
        [
            html.Button(
                [html.I(className="bi bi-check-circle"), " Ready"], id="infra-button", className="btn btn-primary"
            ),
            dcc.Graph(id="infra-map", figure=figure, config={"topojsonURL": TOPOJSON_URL}),
        ]
    )
    return app


def test_infr001_vendor_assets_and_offline_map(dash_duo, assert_console_clean):
    dash_duo.start_server(_tiny_app())

    button = dash_duo.wait_for_element("#infra-button")
    assert button.value_of_css_property("background-color") == "rgba(13, 110, 253, 1)"  # Bootstrap's primary
    dash_duo.wait_for_element("#infra-map path.choroplethlocation", timeout=10)
    assert len(dash_duo.find_elements("#infra-map path.choroplethlocation")) == 3
    icon_font_ready = "return document.fonts.ready.then(() => document.fonts.check('1em bootstrap-icons'))"
    assert dash_duo.driver.execute_script(icon_font_ready) is True
    assert dash_duo.driver.get_window_size() == {"width": 1440, "height": 900}
    assert_console_clean()
