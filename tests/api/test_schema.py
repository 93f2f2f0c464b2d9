"""The OpenAPI schema is served, valid, and in step with ../shared/contract/API.md."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from coaching import catalog
from datespark.http.errors import ERROR_CODES
from tests.support import ROOT

pytestmark = pytest.mark.django_db

# shared/ sits beside the project root; DATESPARK_CONTRACT points elsewhere (e.g. a CI checkout).
CONTRACT = Path(os.environ.get("DATESPARK_CONTRACT", ROOT.parent / "shared/contract/API.md"))


@pytest.fixture(scope="module")
def contract_endpoints() -> set[tuple[str, str]]:
    if not CONTRACT.exists():
        pytest.skip(f"the contract is not at {CONTRACT}")
    text = CONTRACT.read_text()  # v1 and the "Beyond the seed (v1.1)" section
    found = {(m.lower(), p) for m, p in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s\[?]+)", text)}
    return {(method, path) for method, path in found if path.startswith("/api/")}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_contract_endpoint_is_in_the_schema(schema: dict[str, Any], contract_endpoints: set[Any]) -> None:
    assert len(contract_endpoints) >= 16
    documented = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert contract_endpoints <= documented, contract_endpoints - documented


def test_the_schema_documents_nothing_the_contract_does_not(schema: dict[str, Any], contract_endpoints: Any) -> None:
    documented = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert documented <= contract_endpoints, documented - contract_endpoints


def test_status_codes_match_the_contract(schema: dict[str, Any]) -> None:
    def codes(path: str, method: str = "post") -> set[str]:
        return set(schema["paths"][path][method]["responses"])

    assert {"201", "400", "429"} <= codes("/api/auth/register")
    assert {"200", "401", "429"} <= codes("/api/auth/login")
    assert {"204", "401", "403"} <= codes("/api/auth/logout")
    assert {"204", "400", "401"} <= codes("/api/auth/password")
    assert {"200", "400", "401", "403", "413", "415", "503"} <= codes("/api/tool-completion/mark-completed")
    assert {"200", "400", "401", "503"} <= codes("/api/tool-completion/progress", "get")
    assert {"200", "400", "401", "503"} <= codes("/api/tool-completion/is-completed", "get")
    assert {"200", "401", "403"} <= codes("/api/admin/init-tool-tracking")
    assert {"200", "400", "401", "403", "413", "415", "503"} <= codes("/api/tool-completion/batch")
    assert {"200", "400", "401", "403", "413", "415", "503"} <= codes("/api/tool-completion/reset")
    assert {"200", "400", "401", "503"} <= codes("/api/tool-completion/activity", "get")
    assert {"200", "401"} <= codes("/api/me/export", "get")
    assert {"204", "400", "401", "403", "429"} <= codes("/api/me/delete")


def test_error_shape_and_codes_are_declared(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert set(components["ErrorDetail"]["properties"]) == {"code", "message", "field"}
    code_enum = components["ErrorDetail"]["properties"]["code"]
    ref = code_enum.get("$ref") or code_enum["allOf"][0]["$ref"]
    enum = components[ref.split("/")[-1]]["enum"]
    assert set(enum) == set(ERROR_CODES)


def test_bearer_and_cookie_auth_are_declared(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["cookieAuth"] == {**schemes["cookieAuth"], "in": "cookie", "name": "datespark_auth_token"}
    assert schema["paths"]["/api/tool-completion/progress"]["get"]["security"] == [
        {"bearerAuth": []},
        {"cookieAuth": []},
    ]


def test_catalog_names_are_enums(schema: dict[str, Any]) -> None:
    params = {p["name"]: p for p in schema["paths"]["/api/tool-completion/is-completed"]["get"]["parameters"]}
    assert set(params["toolName"]["schema"]["enum"]) == set(catalog.TOOL_NAMES)


def test_docs_page_is_served_from_our_own_static_files(client: Client) -> None:
    response = client.get("/docs/api/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
