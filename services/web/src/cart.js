/**
 * The cart the web front shows: line totals and the summary line, in integer cents.
 * @typedef {{ sku: string, quantity: number, unitCents: number }} CartLine
 */

/**
 * The cart's item count and subtotal; a line without a positive quantity is refused.
 * @param {CartLine[]} lines
 * @returns {{ items: number, subtotalCents: number }}
 */
export function summarize(lines) {
  let items = 0;
  let subtotalCents = 0;
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      throw new RangeError(`quantity of ${line.sku} must be a positive integer, got ${line.quantity}`);
    items += line.quantity;
    subtotalCents += line.quantity * line.unitCents;
  }
  return { items, subtotalCents };
}

/**
 * Cents as the page shows them: `12.50 EUR`.
 * @param {number} cents
 * @param {string} [currency]
 */
export function formatCents(cents, currency = "EUR") {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")} ${currency}`;
}
