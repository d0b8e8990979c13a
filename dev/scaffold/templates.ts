/**
 * The skeleton of a new service per toolchain: the files its generated CI jobs check, written so
 * that every check passes as generated (test/scaffold/service-init.test.ts runs them). The Python
 * tools are the example service's pins (services/api/requirements-dev.txt); the Node packages are
 * the example front's (services/web), lockfile included, since `npm ci` needs one.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../paths";

export interface SkeletonInput {
  readonly name: string;
  readonly port: number;
}

/** A WSGI app answering /health and /metrics, with the text Prometheus scrapes. */
const PYTHON_MAIN = (
  s: SkeletonInput,
) => `"""${s.name}: GET /health and GET /metrics (request counts for the metric gate)."""

from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

REQUESTS: dict[str, int] = {}


def metrics_text() -> str:
    """The request counters in Prometheus's text format (http_requests_total by status)."""
    lines = ["# TYPE http_requests_total counter"]
    for status, count in sorted(REQUESTS.items()):
        lines.append(f'http_requests_total{{status="{status}"}} {count}')
    return "\\n".join(lines) + "\\n"


def _answer(start_response: StartResponse, status: str, kind: str, body: bytes) -> Iterable[bytes]:
    code = status.split(" ", 1)[0]
    REQUESTS[code] = REQUESTS.get(code, 0) + 1
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path == "/health":
        return _answer(start_response, "200 OK", "application/json", b'{"status": "ok"}')
    if path == "/metrics":
        body = metrics_text().encode()
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]
    return _answer(start_response, "404 Not Found", "application/json", b'{"error": "not found"}')


if __name__ == "__main__":  # pragma: no cover
    from wsgiref.simple_server import make_server

    make_server("0.0.0.0", ${s.port}, app).serve_forever()  # noqa: S104 (a container listens on all interfaces)
`;

const PYTHON_TEST = (s: SkeletonInput) => `from typing import Any

from app.main import app, metrics_text


def call(path: str) -> tuple[str, bytes]:
    seen: dict[str, str] = {}

    def start_response(status: str, _headers: list[tuple[str, str]]) -> Any:
        seen["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path}
    body = b"".join(app(environ, start_response))
    return seen["status"], body


def test_health_answers_ok() -> None:
    status, body = call("/health")
    assert (status, body) == ("200 OK", b'{"status": "ok"}')


def test_an_unknown_path_is_404() -> None:
    assert call("/nowhere")[0] == "404 Not Found"


def test_metrics_count_requests_by_status() -> None:
    call("/health")
    assert 'http_requests_total{status="200"}' in metrics_text()
    assert call("/metrics")[1].startswith(b"# TYPE http_requests_total counter")
    # ${s.name}'s own tests go here, beside this file.
`;

const PYTHON_DOCKERFILE = (
  s: SkeletonInput,
) => `# ${s.name}: the standard library only, run as a non-root user.
FROM python:3.12-slim
WORKDIR /srv
COPY requirements.txt .
RUN python -m pip install --no-cache-dir -r requirements.txt
COPY app ./app
USER 10001
EXPOSE ${s.port}
CMD ["python", "-m", "app.main"]
`;

/** The example service's project settings with this service's name. */
function pyproject(s: SkeletonInput): string {
  return fs
    .readFileSync(path.join(ROOT, "services", "api", "pyproject.toml"), "utf8")
    .replace(/^name = "api"$/m, `name = "${s.name}"`)
    .replace(/^description = .*$/m, `description = "${s.name}"`);
}

const read = (...p: string[]) => fs.readFileSync(path.join(ROOT, "services", ...p), "utf8");

export function pythonSkeleton(s: SkeletonInput): Record<string, string> {
  return {
    "pyproject.toml": pyproject(s),
    "requirements.txt": read("api", "requirements.txt"),
    "requirements-dev.txt": read("api", "requirements-dev.txt"),
    "app/__init__.py": "",
    "app/main.py": PYTHON_MAIN(s),
    "tests/__init__.py": "",
    "tests/unit/__init__.py": "",
    "tests/unit/test_main.py": PYTHON_TEST(s),
    Dockerfile: PYTHON_DOCKERFILE(s),
    ".gitignore": "reports/\n.coverage\n__pycache__/\n",
  };
}

const NODE_SERVER = (
  s: SkeletonInput,
) => `/** ${s.name}: GET /health, GET /metrics (request counts for the metric gate). */
import { createServer } from "node:http";

/** @type {Map<number, number>} */
const requests = new Map();

/** The request counters in Prometheus's text format (http_requests_total by status). */
export function metricsText() {
  const lines = ["# TYPE http_requests_total counter"];
  for (const [status, count] of [...requests].sort((a, b) => a[0] - b[0]))
    lines.push(\`http_requests_total{status="\${status}"} \${count}\`);
  return lines.join("\\n") + "\\n";
}

/**
 * Handles one request; exported so the tests call it without a socket.
 * @param {{ method?: string, url?: string }} req
 * @returns {{ status: number, type: string, body: string }}
 */
export function handle(req) {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/metrics")
    return { status: 200, type: "text/plain", body: metricsText() };
  const out =
    req.method === "GET" && url.pathname === "/health"
      ? { status: 200, type: "application/json", body: JSON.stringify({ status: "ok" }) }
      : { status: 404, type: "application/json", body: JSON.stringify({ error: "not found" }) };
  requests.set(out.status, (requests.get(out.status) ?? 0) + 1);
  return out;
}

if (process.argv[1] && import.meta.url === new URL(\`file://\${process.argv[1]}\`).href) {
  createServer((req, res) => {
    const out = handle({ method: req.method, url: req.url });
    res.writeHead(out.status, { "Content-Type": out.type }).end(out.body);
  }).listen(Number(process.env.PORT ?? ${s.port}));
}
`;

const NODE_TEST = (s: SkeletonInput) => `import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { handle, metricsText } from "../src/server.js";

describe("${s.name}", () => {
  it("answers health checks with ok", () => {
    assert.deepEqual(handle({ method: "GET", url: "/health" }), {
      status: 200,
      type: "application/json",
      body: '{"status":"ok"}',
    });
  });

  it("answers an unknown path with 404", () => {
    assert.equal(handle({ method: "GET", url: "/nowhere" }).status, 404);
  });

  it("counts requests by status for Prometheus", () => {
    handle({ method: "GET", url: "/health" });
    assert.match(metricsText(), /http_requests_total\\{status="200"\\} \\d+/);
    assert.equal(handle({ method: "GET", url: "/metrics" }).type, "text/plain");
  });
});
`;

const NODE_DOCKERFILE = (
  s: SkeletonInput,
) => `# ${s.name}: Node's own HTTP server, no runtime dependencies, run as a non-root user.
FROM node:20-slim
WORKDIR /srv
COPY src ./src
COPY package.json .
USER 10001
EXPOSE ${s.port}
CMD ["node", "src/server.js"]
`;

/** The example front's package (its pinned dev tools and their lockfile), renamed. */
function nodePackage(s: SkeletonInput): { manifest: string; lock: string } {
  const manifest = JSON.parse(read("web", "package.json")) as Record<string, unknown>;
  const lock = JSON.parse(read("web", "package-lock.json")) as {
    name: string;
    packages: Record<string, { name?: string }>;
  };
  const out = {
    name: s.name,
    version: "0.1.0",
    private: true,
    description: s.name,
    type: "module",
    engines: manifest.engines,
    scripts: { start: "node src/server.js", test: "node --test test/" },
    devDependencies: manifest.devDependencies,
  };
  lock.name = s.name;
  lock.packages[""].name = s.name;
  return { manifest: `${JSON.stringify(out, null, 2)}\n`, lock: `${JSON.stringify(lock, null, 2)}\n` };
}

export function nodeSkeleton(s: SkeletonInput): Record<string, string> {
  const pkg = nodePackage(s);
  const tsconfig = JSON.parse(read("web", "tsconfig.json")) as { include: string[] };
  tsconfig.include = ["src", "test"];
  return {
    "package.json": pkg.manifest,
    "package-lock.json": pkg.lock,
    "eslint.config.js": read("web", "eslint.config.js"),
    "tsconfig.json": `${JSON.stringify(tsconfig, null, 2)}\n`,
    "src/server.js": NODE_SERVER(s),
    "test/server.test.js": NODE_TEST(s),
    Dockerfile: NODE_DOCKERFILE(s),
    ".gitignore": "node_modules/\nreports/\ncoverage/\n",
  };
}
