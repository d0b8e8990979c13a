import { strict as assert } from "assert";
import { committedUrns, contractStacks, evaluateForContract, urnsOf } from "../../dev/contract/urns";

describe("the resource-identity contract (dev/contract/urns)", function () {
  this.timeout(120000);

  it("covers every committed platform and application stack", () => {
    assert.deepEqual(
      contractStacks().map((s) => `${s.project}.${s.stack}`),
      [
        "platform.dev",
        "platform.local",
        "platform.production",
        "platform.staging",
        "apps.shop-dev",
        "apps.shop-local",
        "apps.shop-production",
        "apps.shop-staging",
        "apps.storefront-local",
      ],
    );
  });

  for (const { project, stack } of contractStacks())
    it(`${project} ${stack} registers exactly its committed URNs: none renamed or moved without aliases, none unrecorded`, async () => {
      const committed = committedUrns(project, stack);
      assert.ok(committed, `no dev/contract/urns/${project}.${stack}.txt: run npm run contract:update`);
      const now = urnsOf(await evaluateForContract(project, stack));
      const gone = committed.filter((u) => !now.includes(u));
      const added = now.filter((u) => !committed.includes(u));
      assert.deepEqual(
        gone,
        [],
        "these resources would be replaced or deleted by the next up: give the renamed ones aliases (or pulumi state move them), then npm run contract:update",
      );
      assert.deepEqual(added, [], "new resources: record them with npm run contract:update");
    });
});
