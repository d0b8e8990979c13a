// A service's record must lie in its hosted zone's domain: Route 53 refuses anything else only when
// the change is applied (InvalidChangeBatch), so the program reads the zone (GetHostedZone, which
// runs at preview too) and fails the preview by name. Under mocks the zone answers as its id says.
import { strict as assert } from "assert";
import { evaluateStack } from "../../dev/harness/program";
import { withinZone } from "../../src/components/aws/dns-record";

describe("records and their hosted zone", function () {
  this.timeout(120_000);

  const cases: [host: string, zone: string, inside: boolean][] = [
    ["api.dev.example.com", "dev.example.com", true],
    ["api.dev.example.com", "example.com.", true],
    ["API.Dev.Example.com", "example.com", true],
    ["dev.example.com", "dev.example.com", true],
    ["api.dev.example.com", "other.example.com", false],
    ["api.notexample.com", "example.com", false],
  ];
  for (const [host, zone, inside] of cases)
    it(`reads ${host} as ${inside ? "inside" : "outside"} zone ${zone}`, () =>
      assert.equal(withinZone(host, zone), inside));

  it("evaluates the committed dev stack, whose records lie in its zone", async () => {
    const e = await evaluateStack("dev");
    assert.ok(
      e.resources.some(
        (r) => r.type === "aws:route53/record:Record" && r.inputs.name === "payments.dev.example.com",
      ),
    );
  });

  it("fails the preview naming the record, the zone and what to change when the domain lies outside the zone", async () => {
    await assert.rejects(
      evaluateStack("dev", {}, { preview: true, zones: { Z0DEV000000000000001: "example.org" } }),
      /payments\.dev\.example\.com is outside hosted zone Z0DEV000000000000001 \(example\.org\): Route 53 refuses a record outside its zone's domain; set platform:dns\.domain inside example\.org, or platform:dns\.hostedZoneId to the zone of payments\.dev\.example\.com/,
    );
  });
});
