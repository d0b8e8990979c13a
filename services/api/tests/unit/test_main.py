import io
import json
from typing import Any

from app.main import app


def call(method: str, path: str, body: object | None = None) -> tuple[str, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    seen: dict[str, str] = {}

    def start_response(status: str, _headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    payload = b"".join(app(environ, start_response))
    return seen["status"], json.loads(payload)


def test_health_answers_ok() -> None:
    assert call("GET", "/health") == ("200 OK", {"status": "ok"})


def test_total_prices_the_posted_order() -> None:
    body = {"lines": [{"sku": "a", "quantity": 2, "unit_cents": 1000}], "discount_percent": 50}
    assert call("POST", "/total", body) == ("200 OK", {"total_cents": 1200})


def test_total_refuses_a_bad_discount_with_400() -> None:
    status, payload = call("POST", "/total", {"lines": [], "discount_percent": 150})
    assert status == "400 Bad Request"
    assert "discount_percent" in payload["error"]


def test_an_unknown_path_is_404() -> None:
    assert call("GET", "/nope")[0] == "404 Not Found"
