import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ConfigError, StackConfig, stackConfigFromFile } from "../../src/config";
import { namespacesOf, sharedClusterProblems } from "../../src/config/shared-cluster";
import { readStackConfig, ROOT } from "../../src/config/stack-files";
import { evaluateStack } from "../../dev/harness/program";

const local = stackConfigFromFile("local");
const tenant = (
  stack: string,
  namespaces: "service" | "stack-service",
  sharedWith: string[] = [],
): StackConfig => ({
  ...local,
  stack,
  kubernetes: { ...local.kubernetes, namespaces, sharedWith },
});

describe("environments sharing one cluster", () => {
  it("derive namespaces from the stack and the service when they share a cluster", () => {
    assert.deepEqual(
      [...namespacesOf(tenant("dev", "stack-service")).keys()],
      ["dev-api", "dev-web", "dev-orders"],
    );
    assert.deepEqual([...namespacesOf(tenant("dev", "service")).keys()], ["api", "web", "orders"]);
  });

  it("refuses tenants that derive one namespace, naming it and the fix", () => {
    const problems = sharedClusterProblems(
      tenant("dev", "service", ["staging"]),
      new Map([["staging", tenant("staging", "service")]]),
    );
    assert.deepEqual(problems, [
      {
        key: "platform:kubernetes.sharedWith[0]",
        value: "staging",
        allowed:
          "a tenant deriving other namespaces: both stacks put workloads in api, orders, web; set kubernetes.namespaces: stack-service in both",
      },
    ]);
    assert.deepEqual(
      sharedClusterProblems(
        tenant("dev", "stack-service", ["staging", "production"]),
        new Map([
          ["staging", tenant("staging", "stack-service")],
          ["production", tenant("production", "stack-service")],
        ]),
      ),
      [],
    );
  });

  it("refuses a tenant without a stack file, itself, and a namespace over 63 characters, all at once", () => {
    const long = "s".repeat(40);
    const problems = sharedClusterProblems(
      {
        ...tenant(long, "stack-service", ["qa", long]),
        services: local.services.map((s) => ({ ...s, name: `${"n".repeat(30)}${s.name}` })),
      },
      new Map([["qa", undefined]]),
    );
    assert.deepEqual(
      problems.map((p) => `${p.key}: ${p.allowed.split(":")[0]}`),
      [
        "platform:kubernetes.namespaces: namespaces of at most 63 characters",
        "platform:kubernetes.namespaces: namespaces of at most 63 characters",
        "platform:kubernetes.namespaces: namespaces of at most 63 characters",
        "platform:kubernetes.sharedWith[0]: a platform stack with a file beside this one (Pulumi.qa.yaml)",
        "platform:kubernetes.sharedWith[1]: another stack than this one",
      ],
    );
  });

  it("are checked when a stack file is loaded, against the tenants' files beside it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-"));
    try {
      const write = (stack: string, namespaces: string, sharedWith: string[]) => {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"));
        doc.config["platform:kubernetes"] = { ...doc.config["platform:kubernetes"], namespaces, sharedWith };
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
      };
      write("local", "service", ["qa"]);
      write("qa", "service", ["local"]);
      assert.throws(
        () => stackConfigFromFile("local", dir),
        (err: unknown) =>
          err instanceof ConfigError && /both stacks put workloads in api, orders, web/.test(err.message),
      );
      write("local", "stack-service", ["qa"]);
      write("qa", "stack-service", ["local"]);
      assert.equal(stackConfigFromFile("local", dir).kubernetes.namespaces, "stack-service");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("put each workload, and the egress to a service it calls, in the derived namespaces", async () => {
    const kubernetes = {
      ...(readStackConfig("local")["platform:kubernetes"] as object),
      namespaces: "stack-service",
    };
    const e = await evaluateStack("local", { "platform:kubernetes": kubernetes });
    assert.deepEqual(
      e
        .ofType("kubernetes:core/v1:Namespace")
        .map((r) => r.inputs.metadata.name)
        .sort(),
      ["local-api", "local-orders", "local-web"],
    );
    const allow = e.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "orders-allow").inputs.spec;
    const toApi = allow.egress.find(
      (r: any) => r.to?.[0]?.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "api",
    );
    assert.deepEqual(toApi.to[0].namespaceSelector, {
      matchLabels: { "kubernetes.io/metadata.name": "local-api" },
    });
    assert.deepEqual(e.outputs.namespaces, { api: "local-api", web: "local-web", orders: "local-orders" });
  });
});
