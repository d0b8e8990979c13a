import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { handle } from "../src/server.js";

describe("the web front", () => {
  it("answers health checks with ok", async () => {
    assert.deepEqual(await handle({ method: "GET", url: "/health" }), {
      status: 200,
      type: "application/json",
      body: '{"status":"ok"}',
    });
  });

  it("summarizes a posted cart", async () => {
    const out = await handle({
      method: "POST",
      url: "/api/cart/summary",
      body: '[{"sku":"a","quantity":3,"unitCents":100}]',
    });
    assert.equal(out.status, 200);
    assert.deepEqual(JSON.parse(out.body), { items: 3, subtotalCents: 300, subtotal: "3.00 EUR" });
  });

  it("refuses a bad cart with 400 and says why", async () => {
    const out = await handle({
      method: "POST",
      url: "/api/cart/summary",
      body: '[{"sku":"a","quantity":-1,"unitCents":1}]',
    });
    assert.equal(out.status, 400);
    assert.match(JSON.parse(out.body).error, /quantity of a must be a positive integer/);
  });

  it("answers an unknown path with 404", async () => {
    assert.equal((await handle({ method: "GET", url: "/nope" })).status, 404);
  });
});
