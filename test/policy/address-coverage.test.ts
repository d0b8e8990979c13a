import { strict as assert } from "assert";
import { ipv4Interval, NON_PUBLIC_IPV4, opensToInternet } from "../../policy/lib/address-coverage";

/**
 * The public IPv4 space as CIDR blocks, found independently of the code under test: split the
 * whole space in halves until each block is either clear of every non-public range (kept) or
 * inside one (dropped).
 */
function publicBlocks(): string[] {
  const ranges = NON_PUBLIC_IPV4.map((c) => ipv4Interval(c)!);
  const out: string[] = [];
  const visit = (start: number, prefix: number) => {
    const end = start + 2 ** (32 - prefix) - 1;
    if (ranges.some(([s, e]) => s <= start && end <= e)) return;
    if (!ranges.some(([s, e]) => s <= end && start <= e)) {
      const ip = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join(".");
      out.push(`${ip}/${prefix}`);
      return;
    }
    visit(start, prefix + 1);
    visit(start + 2 ** (32 - prefix - 1), prefix + 1);
  };
  visit(0, 0);
  return out;
}

describe("open to the internet, by address coverage", () => {
  it("knows the spelled-out forms", () => {
    assert.equal(opensToInternet(["0.0.0.0/0"]), true);
    assert.equal(opensToInternet(["::/0"]), true);
    assert.equal(opensToInternet(["203.0.113.0/24", "10.0.0.0/8"]), false);
    assert.equal(opensToInternet([]), false);
  });

  it("sees two halves of the address space as the whole internet, and one half as not", () => {
    assert.equal(opensToInternet(["0.0.0.0/1", "128.0.0.0/1"]), true);
    assert.equal(opensToInternet(["0.0.0.0/1"]), false);
    assert.equal(opensToInternet(["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"]), true);
  });

  it("counts a set that skips only non-public ranges as open, and one public /24 missing as not", () => {
    const blocks = publicBlocks();
    assert.ok(blocks.length > 20, blocks.join(" "));
    assert.equal(opensToInternet(blocks), true);
    for (const missing of [blocks[0], blocks[blocks.length - 1], "203.0.112.0/24"].filter((b) =>
      blocks.includes(b),
    ))
      assert.equal(opensToInternet(blocks.filter((c) => c !== missing)), false, missing);
    // A block that is public and not listed alone: split one listed block and drop half of it.
    const big = blocks.find((b) => Number(b.split("/")[1]) < 24)!;
    const [ip, prefix] = big.split("/");
    const half = `${ip}/${Number(prefix) + 1}`;
    assert.equal(
      opensToInternet([...blocks.filter((b) => b !== big), half]),
      false,
      `only ${half} of ${big}`,
    );
    assert.equal(
      opensToInternet(NON_PUBLIC_IPV4),
      false,
      "every private and reserved range is not the internet",
    );
  });

  it("reads CIDRs with host bits by their network, and ignores what is not an IPv4 CIDR", () => {
    assert.deepEqual(ipv4Interval("10.0.0.7/24"), [167772160, 167772415]);
    assert.equal(ipv4Interval("10.0.0.0/33"), undefined);
    assert.equal(ipv4Interval("2001:db8::/32"), undefined);
    assert.equal(ipv4Interval(42), undefined);
  });
});
