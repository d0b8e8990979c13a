// The contract job's publish step, run with real bash, jq and curl against a local HTTP server
// that answers as the Pact broker's `POST /contracts/publish` does (its documented request:
// pacticipant, version, branch, build URL, each contract base64-encoded): one request per
// consumer, the pact content intact, and a failure when the broker refuses or no pact was written.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { PUBLISH_PACTS_SCRIPT } from "../../src/workflows/service-ci";

const SHA = "0123456789abcdef0123456789abcdef01234567";

interface Received {
  method: string;
  url: string;
  contentType: string;
  body: any;
}

/** A broker stand-in: records each request and answers `status`. */
async function broker(status: number): Promise<{ url: string; received: Received[]; close(): void }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      received.push({
        method: req.method!,
        url: req.url!,
        contentType: String(req.headers["content-type"]),
        body: JSON.parse(data),
      });
      res.writeHead(status, { "Content-Type": "application/hal+json" });
      res.end(status < 400 ? '{"notices":[]}' : '{"errors":{"pacticipantVersionNumber":["conflict"]}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

const pact = (consumer: string, provider: string) => ({
  consumer: { name: consumer },
  provider: { name: provider },
  interactions: [
    {
      description: `a request from ${consumer}`,
      request: { method: "GET", path: "/items" },
      response: { status: 200 },
    },
  ],
  metadata: { pactSpecification: { version: "3.0.0" } },
});

/** Runs the step in a service directory holding `pacts`; resolves with its exit code and output. */
async function publish(
  brokerUrl: string,
  pacts: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pact-publish-"));
  fs.mkdirSync(path.join(dir, "pacts"));
  for (const [file, content] of Object.entries(pacts))
    fs.writeFileSync(path.join(dir, "pacts", file), JSON.stringify(content));
  const child = spawn("bash", ["-c", PUBLISH_PACTS_SCRIPT], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PACTS_DIRECTORY: "pacts",
      PACT_BROKER_BASE_URL: brokerUrl,
      GITHUB_SHA: SHA,
      GITHUB_REF_NAME: "main",
      GITHUB_HEAD_REF: "",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_RUN_ID: "42",
      ...extraEnv,
    },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, out };
}

describe("publishing pacts to the contract job's broker (real bash, jq and curl)", () => {
  it("posts each consumer's pacts once, versioned by the commit and branch, their content intact", async () => {
    const b = await broker(200);
    try {
      const web = pact("web", "api");
      const webOrders = pact("web", "orders");
      const mobile = pact("mobile app", "api");
      const r = await publish(b.url, {
        "web-api.json": web,
        "web-orders.json": webOrders,
        "mobile-api.json": mobile,
      });
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(
        b.received.map((x) => [x.method, x.url, x.contentType]),
        [
          ["POST", "/contracts/publish", "application/json"],
          ["POST", "/contracts/publish", "application/json"],
        ],
      );
      const byConsumer = Object.fromEntries(b.received.map((x) => [x.body.pacticipantName, x.body]));
      assert.deepEqual(Object.keys(byConsumer).sort(), ["mobile app", "web"]);
      const w = byConsumer.web;
      assert.equal(w.pacticipantVersionNumber, SHA);
      assert.equal(w.branch, "main");
      assert.equal(w.buildUrl, "https://github.com/acme/shop/actions/runs/42");
      assert.deepEqual(
        w.contracts.map((c: any) => [c.consumerName, c.providerName, c.specification, c.contentType]),
        [
          ["web", "api", "pact", "application/json"],
          ["web", "orders", "pact", "application/json"],
        ].sort((x, y) => x[1].localeCompare(y[1])),
      );
      const decoded = w.contracts.map((c: any) =>
        JSON.parse(Buffer.from(c.content, "base64").toString("utf8")),
      );
      assert.deepEqual(
        decoded.sort((x: any, y: any) => x.provider.name.localeCompare(y.provider.name)),
        [web, webOrders],
      );
      assert.match(r.out, /published the pacts of mobile app at 0123456789abcdef/);
    } finally {
      b.close();
    }
  });

  it("names a pull request's source branch, not its merge ref", async () => {
    const b = await broker(200);
    try {
      const r = await publish(
        b.url,
        { "web-api.json": pact("web", "api") },
        { GITHUB_HEAD_REF: "feature/cart", GITHUB_REF_NAME: "17/merge" },
      );
      assert.equal(r.code, 0, r.out);
      assert.equal(b.received[0].body.branch, "feature/cart");
    } finally {
      b.close();
    }
  });

  it("fails the job when the broker refuses a publication, showing its answer", async () => {
    const b = await broker(409);
    try {
      const r = await publish(b.url, { "web-api.json": pact("web", "api") });
      assert.notEqual(r.code, 0);
      assert.match(r.out, /conflict/);
      assert.doesNotMatch(r.out, /published the pacts/);
    } finally {
      b.close();
    }
  });

  it("fails the job, by name, when the contract tests wrote no pact file", async () => {
    const b = await broker(200);
    try {
      const r = await publish(b.url, {});
      assert.equal(r.code, 1);
      assert.match(r.out, /::error::no pact files in pacts/);
      assert.equal(b.received.length, 0);
    } finally {
      b.close();
    }
  });
});
