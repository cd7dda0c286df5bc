"""The API's OpenAPI document says what clients get: every 429 declares its Retry-After header."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_429_in_the_openapi_document_declares_retry_after(client):
    schema = client.get("/api/v1/openapi.json").json()
    limited = [
        (path, method, operation["responses"]["429"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "429" in operation["responses"]
    ]
    assert {(path, method) for path, method, _ in limited} == {
        ("/api/v1/verify/{code}", "get"),
        ("/api/v1/verify", "post"),
    }
    for path, method, response in limited:
        header = response.get("headers", {}).get("Retry-After")
        assert header is not None, (path, method)
        assert header["schema"] == {"type": "integer", "minimum": 1}
        assert header["required"] is True
        assert "seconds" in header["description"]


def test_the_429_answer_sends_the_header_the_document_declares(client, settings):
    settings.VERIFY_RATE_LIMIT = "1/m"
    client.get("/api/v1/verify/0000")
    response = client.get("/api/v1/verify/0000")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1 and response.json()["retry_after"] == int(response["Retry-After"])
