/** The web front: GET /health, POST /api/cart/summary, everything else from dist/. */
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { formatCents, summarize } from "./cart.js";

/**
 * Handles one request; exported so the tests call it without a socket.
 * @param {{ method?: string, url?: string, body?: string }} req
 * @returns {Promise<{ status: number, type: string, body: string }>}
 */
export async function handle(req) {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/health")
    return { status: 200, type: "application/json", body: JSON.stringify({ status: "ok" }) };
  if (req.method === "POST" && url.pathname === "/api/cart/summary") {
    try {
      const { items, subtotalCents } = summarize(JSON.parse(req.body || "[]"));
      const body = { items, subtotalCents, subtotal: formatCents(subtotalCents) };
      return { status: 200, type: "application/json", body: JSON.stringify(body) };
    } catch (err) {
      return { status: 400, type: "application/json", body: JSON.stringify({ error: String(err) }) };
    }
  }
  if (req.method === "GET" && url.pathname === "/") {
    const page = await readFile(new URL("../dist/index.html", import.meta.url), "utf8").catch(() => null);
    if (page !== null) return { status: 200, type: "text/html", body: page };
  }
  return { status: 404, type: "application/json", body: JSON.stringify({ error: "not found" }) };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      const out = await handle({ method: req.method, url: req.url, body });
      res.writeHead(out.status, { "Content-Type": out.type }).end(out.body);
    });
  }).listen(Number(process.env.PORT ?? 3000));
}
