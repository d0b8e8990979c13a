import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { formatCents, summarize } from "../src/cart.js";

describe("the cart summary", () => {
  it("counts the items and adds up the line totals", () => {
    const lines = [
      { sku: "a", quantity: 2, unitCents: 1250 },
      { sku: "b", quantity: 1, unitCents: 99 },
    ];
    assert.deepEqual(summarize(lines), { items: 3, subtotalCents: 2599 });
  });

  it("refuses a line whose quantity is not a positive integer", () => {
    assert.throws(
      () => summarize([{ sku: "a", quantity: 0, unitCents: 1 }]),
      /quantity of a must be a positive integer, got 0/,
    );
  });

  it("shows cents with two decimals and the currency, negative amounts with a sign", () => {
    assert.equal(formatCents(2599), "25.99 EUR");
    assert.equal(formatCents(5, "USD"), "0.05 USD");
    assert.equal(formatCents(-1050), "-10.50 EUR");
  });
});
