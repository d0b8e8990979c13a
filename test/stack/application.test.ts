import { strict as assert } from "assert";
import { evaluateApplicationStack, evaluatePlatformStack } from "../../dev/harness/program";
import { Evaluation } from "../../dev/harness/evaluate";
import { applicationStackFromFile, parseApplicationStack } from "../../src/config/application-stack";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { checkContract, PlatformContractError } from "../../src/stack/application";
import { OUTPUTS_CONTRACT_VERSION } from "../../src/stack/outputs";
import { planWorkloadMoves, stateMoveArgs, urnTail } from "../../src/release/move-workloads";

const workloadRoots = (e: Evaluation) =>
  e.resources
    .filter((r) => ["platform:kubernetes:KubernetesApp", "platform:ecs:EcsService"].includes(r.type))
    .map((r) => r.name)
    .sort();

/** Every URN's type chain and name, without the stack and project (what `pulumi state move` keeps). */
const tails = (e: Evaluation) =>
  e.resources
    .filter((r) => !r.type.startsWith("pulumi:"))
    .map((r) => urnTail(r.urn))
    .sort();

describe("application stacks", function () {
  this.timeout(120000);

  describe("on the local platform stack", () => {
    it("the platform stack registers no workload once its workloads live in application stacks", async () => {
      const platform = await evaluatePlatformStack("local");
      assert.deepEqual(workloadRoots(platform), []);
      assert.deepEqual(
        platform.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.name),
        [],
      );
      assert.deepEqual(platform.outputs.applicationStacks, {
        shop: "shop-local",
        storefront: "storefront-local",
      });
      assert.deepEqual(platform.outputs.serviceApplications, {
        api: "shop",
        web: "storefront",
        orders: "shop",
      });
      assert.equal(platform.outputs.contractVersion, OUTPUTS_CONTRACT_VERSION);
      assert.deepEqual(platform.outputs.releases, {});
    });

    it("each application stack registers exactly its own services' workloads and exports their releases", async () => {
      const shop = (await evaluateApplicationStack("shop-local")).application;
      const storefront = (await evaluateApplicationStack("storefront-local")).application;
      assert.deepEqual(workloadRoots(shop), ["api", "orders"]);
      assert.deepEqual(workloadRoots(storefront), ["web"]);
      assert.deepEqual(Object.keys(shop.outputs.releases as object).sort(), ["api", "orders"]);
      assert.deepEqual(storefront.outputs.namespaces, { web: "web" });
      assert.equal(storefront.outputs.application, "storefront");
      assert.equal(storefront.outputs.platformStack, "organization/platform/local");
    });

    it("an application stack's own release pins win over the platform file's seeds", () => {
      const digest = `sha256:${"e".repeat(64)}`;
      const app = parseApplicationStack(
        "shop-local",
        { platformStack: "organization/platform/local", application: "shop", releases: { api: { digest } } },
        (file) => stackConfigFromFile(file),
      );
      assert.equal(app.releases.api!.digest, digest);
      assert.equal(app.platform.releases.api!.digest, digest);
      assert.deepEqual(Object.keys(app.releases).sort(), ["api", "orders"]);
    });
  });

  it("reads each committed application stack: dev's one application holds all four of its services", () => {
    const shop = applicationStackFromFile("shop-dev");
    assert.deepEqual(
      shop.services.map((s) => s.name),
      ["api", "web", "orders", "payments"],
    );
    assert.equal(shop.platformStackFile, "dev");
    assert.deepEqual(Object.keys(shop.releases), ["api", "web", "orders", "payments"]);
  });

  describe("config errors", () => {
    const parse = (values: Record<string, unknown>) =>
      parseApplicationStack("x-local", values, (file) => stackConfigFromFile(file));

    it("names the application, the platform stack and what it declares when the application is unknown", () => {
      assert.throws(
        () => parse({ platformStack: "organization/platform/local", application: "billing" }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.deepEqual(err.problems, [
            {
              key: "apps:application",
              value: "billing",
              allowed: "an application of platform stack local: shop, storefront",
            },
          ]);
          return true;
        },
      );
    });

    it("refuses release pins of another application's service and a malformed platform stack name, together", () => {
      assert.throws(
        () => parse({ platformStack: "a/b/c/d", application: "shop" }),
        /apps:platformStack: got "a\/b\/c\/d"; must name the platform stack as StackReference does/,
      );
      assert.throws(
        () =>
          parse({
            platformStack: "organization/platform/local",
            application: "shop",
            releases: { web: { digest: `sha256:${"a".repeat(64)}` } },
          }),
        /apps:releases\.web: got "web"; a service of application shop: api, orders/,
      );
    });

    it("refuses a platform stack that still holds its workloads, saying how to move them", () => {
      assert.throws(
        () =>
          parseApplicationStack(
            "shop-dev",
            { platformStack: "organization/platform/dev", application: "shop" },
            (file) => stackConfigFromFile(file, undefined, { "platform:applicationStacks": false }),
          ),
        /apps:platformStack: got "organization\/platform\/dev"; a platform stack whose workloads live in application stacks: set platform:applicationStacks: true in Pulumi\.dev\.yaml/,
      );
    });
  });

  describe("the platform's outputs contract", () => {
    const app = {
      stack: "shop-local",
      platformStack: "organization/platform/local",
      platform: stackConfigFromFile("local"),
    };
    const outputs = { contractVersion: OUTPUTS_CONTRACT_VERSION, namePrefix: "platform-local" };

    it("is read when its version is known and its names are the platform stack's", () => {
      const c = checkContract(app, { ...outputs, kubeconfig: "apiVersion: v1" });
      assert.equal(c.kubeconfig, "apiVersion: v1");
      assert.equal(c.vpcId, null);
    });

    it("is refused, with what to do, when never deployed, of an unknown version, or of another stack", () => {
      assert.throws(
        () => checkContract(app, {}),
        (err: unknown) => {
          assert.ok(err instanceof PlatformContractError);
          assert.match(
            err.message,
            /exports no contractVersion: it was never deployed.*run its pulumi up first/,
          );
          return true;
        },
      );
      assert.throws(
        () => checkContract(app, { ...outputs, contractVersion: "3" }),
        /exports outputs contract version "3"; this program knows 2: deploy the application stack from the platform commit that deployed its platform stack/,
      );
      assert.throws(
        () => checkContract(app, { ...outputs, namePrefix: "platform-dev" }),
        /names its resources "platform-dev", but its stack file is Pulumi\.local\.yaml \(platform-local\)/,
      );
    });
  });

  describe("moving a stack's workloads into application stacks", () => {
    // The committed AWS stacks still hold their workloads; split, every resource keeps its URN's
    // type chain and name, which is what `pulumi state move` carries into the application stack.
    for (const stack of ["dev", "staging", "production", "local"]) {
      it(`${stack}: the platform and application stacks together register exactly what the single stack did, but the alarms`, async () => {
        const single = await evaluatePlatformStack(stack, { "platform:applicationStacks": false });
        const split = await evaluatePlatformStack(stack, { "platform:applicationStacks": true });
        const apps = [...new Set(Object.values(split.outputs.serviceApplications as Record<string, string>))];
        const appTails: string[] = [];
        for (const application of apps) {
          const name = `${application}-${stack}`;
          const { application: e } = await evaluateApplicationStack(name, {
            platformOverrides: { "platform:applicationStacks": true },
          });
          appTails.push(...tails(e));
        }
        // Alarms of a service move from the platform's alarm component to the application's.
        const isServiceAlarm = (t: string) =>
          /^platform:operations:(StackAlarms|ServiceAlarms)\$aws:cloudwatch\/metricAlarm:MetricAlarm::alarms-(?!platform-)/.test(
            t,
          ) || t === "platform:operations:ServiceAlarms::alarms";
        const before = tails(single).filter((t) => !isServiceAlarm(t));
        const after = [...tails(split), ...appTails].filter((t) => !isServiceAlarm(t)).sort();
        assert.deepEqual(after, before);
        // …and the service alarms are the same alarms, by physical name.
        const alarmNames = (e: Evaluation) =>
          e
            .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((r) => r.inputs.name)
            .sort();
        const appAlarms: string[] = [];
        for (const application of apps)
          appAlarms.push(
            ...alarmNames(
              (
                await evaluateApplicationStack(`${application}-${stack}`, {
                  platformOverrides: { "platform:applicationStacks": true },
                })
              ).application,
            ),
          );
        assert.deepEqual([...alarmNames(split), ...appAlarms].sort(), alarmNames(single));
      });
    }

    it("plans one state move per application, of its workloads' root components", async () => {
      const config = stackConfigFromFile("dev", undefined, { "platform:applicationStacks": false });
      const single = await evaluatePlatformStack("dev", { "platform:applicationStacks": false });
      const moves = planWorkloadMoves(
        config,
        single.resources.map((r) => r.urn),
      );
      assert.deepEqual(
        moves.map((m) => ({ ...m, urns: m.urns.map(urnTail) })),
        [
          {
            application: "shop",
            stack: "shop-dev",
            urns: [
              "platform:kubernetes:KubernetesApp::api",
              "platform:kubernetes:KubernetesApp::web",
              "platform:kubernetes:KubernetesApp::orders",
              "platform:ecs:EcsService::payments",
            ],
          },
        ],
      );
      assert.deepEqual(stateMoveArgs(moves[0]!, "dev", "acme").slice(0, 7), [
        "state",
        "move",
        "--source",
        "dev",
        "--dest",
        "acme/apps/shop-dev",
        "--yes",
      ]);
    });
  });
});
