"""Security tests: HTTP helpers shared by the sign-in, header, hostile-input and forged-callback tests."""

from __future__ import annotations

import datetime as dt
import re

from flask.testing import FlaskClient

from tests.builders import build

PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the sign-in form for this client's session."""
    page = client.get("/login")
    assert page.status_code == 200
    return CSRF_FIELD.search(page.get_data(as_text=True)).group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, next_path: str = "/"):
    """Post the sign-in form with a valid CSRF token; returns the response."""
    token = csrf_token(client)
    return client.post("/login", data={"csrf": token, "username": username, "password": password, "next": next_path})


def two_members(engine) -> None:
    """Albania (AL0001, AL0002) and Armenia (AM0001): enough rows to read, export and count."""
    plan = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
    build(
        engine,
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        **plan,
                        "ogp_id": "AP_ALB01",
                        "commitments": [
                            {"ogp_id": "AL0001", "title": "Open budgets", "completion_midterm": "Substantial"},
                            {"ogp_id": "AL0002", "title": "Open contracts"},
                        ],
                    }
                ],
            },
            {
                "code": "ARM",
                "name": "Armenia",
                "region": "Europe",
                "plans": [{**plan, "ogp_id": "AP_ARM01", "commitments": [{"ogp_id": "AM0001", "title": "Open data"}]}],
            },
        ],
    )
