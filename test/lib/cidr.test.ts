import { strict as assert } from "assert";
import { planSubnets } from "../../src/lib/cidr";

describe("subnet planning", () => {
  const cases: [string, number, string[], string[]][] = [
    ["10.0.0.0/16", 2, ["10.0.0.0/20", "10.0.16.0/20"], ["10.0.128.0/20", "10.0.144.0/20"]],
    [
      "10.30.0.0/16",
      3,
      ["10.30.0.0/20", "10.30.16.0/20", "10.30.32.0/20"],
      ["10.30.128.0/20", "10.30.144.0/20", "10.30.160.0/20"],
    ],
    ["172.16.0.0/20", 2, ["172.16.0.0/24", "172.16.1.0/24"], ["172.16.8.0/24", "172.16.9.0/24"]],
    ["192.168.10.0/24", 1, ["192.168.10.0/28"], ["192.168.10.128/28"]],
  ];
  for (const [cidr, azs, publicCidrs, privateCidrs] of cases) {
    it(`splits ${cidr} over ${azs} AZs into public ${publicCidrs.join(",")} and private ${privateCidrs.join(",")}`, () => {
      assert.deepEqual(planSubnets(cidr, azs), { publicCidrs, privateCidrs });
    });
  }

  it("rejects more than six AZs", () => {
    assert.throws(() => planSubnets("10.0.0.0/16", 7), /azCount must be 1-6, got 7/);
  });
});
