"""WSGI entry point: GET /health, POST /total with {"lines": [...], "discount_percent": n}."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from app.pricing import Line, order_total

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _json(start_response: StartResponse, status: str, body: object) -> Iterable[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    method = environ.get("REQUEST_METHOD", "GET")
    if path == "/health" and method == "GET":
        return _json(start_response, "200 OK", {"status": "ok"})
    if path == "/total" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            lines = [Line(**line) for line in body.get("lines", [])]
            total = order_total(lines, int(body.get("discount_percent", 0)))
        except (ValueError, TypeError) as err:
            return _json(start_response, "400 Bad Request", {"error": str(err)})
        return _json(start_response, "200 OK", {"total_cents": total})
    return _json(start_response, "404 Not Found", {"error": "not found"})


if __name__ == "__main__":  # pragma: no cover
    from wsgiref.simple_server import make_server

    make_server("0.0.0.0", 8080, app).serve_forever()  # noqa: S104 (a container listens on all interfaces)
