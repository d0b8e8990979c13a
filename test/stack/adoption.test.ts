import { strict as assert } from "assert";
import { Evaluation } from "../../dev/harness/evaluate";
import { ADOPTION_KINDS, adoptionFile, ImportFile, ImportSpec } from "../../src/stack/adoption";
import { committedStack } from "../helpers/stacks";

/** Import IDs as the GitHub provider documents them, from the registered inputs. */
const EXPECTED_ID: Record<string, (inputs: any) => string> = {
  "github:index/repository:Repository": (i) => i.name,
  "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions": (i) => i.repository,
  "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions": (i) => i.repository,
  "github:index/branchProtection:BranchProtection": (i) => `shop:${i.pattern}`,
  "github:index/issueLabel:IssueLabel": (i) => `${i.repository}:${i.name}`,
  "github:index/repositoryEnvironment:RepositoryEnvironment": (i) => `${i.repository}:${i.environment}`,
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": (i) =>
    `${i.repository}:${i.environment}:${i.variableName}`,
  "github:index/actionsVariable:ActionsVariable": (i) => `${i.repository}:${i.variableName}`,
};

/** The URN the engine gives an imported entry: its component parents' types qualify its own. */
function urnOf(file: ImportFile, spec: ImportSpec, stack: string): string {
  const types: string[] = [];
  for (let s: ImportSpec | undefined = spec; s; s = file.resources.find((r) => r.name === s!.parent))
    types.unshift(s.type);
  return `urn:pulumi:${stack}::platform::${types.join("$")}::${spec.logicalName}`;
}

describe("adopting an existing repository", function () {
  this.timeout(60000);
  let dev: Evaluation;
  let file: ImportFile;
  before(async () => {
    dev = await committedStack("dev");
    file = adoptionFile(dev.resources, {
      repository: "shop",
      kinds: ADOPTION_KINDS,
      providerVersion: "6.15.0",
    });
  });

  it("imports each object under the URN, type and provider the program registers it with, by the provider's import ID", () => {
    const objects = file.resources.filter((r) => !r.component);
    // Every adoptable type (dev's repository variable is its runner labels; staging's are checked below).
    assert.deepEqual([...new Set(objects.map((o) => o.type))].sort(), Object.keys(EXPECTED_ID).sort());
    for (const spec of objects) {
      const registered = dev.resources.find((r) => r.urn === urnOf(file, spec, "dev"));
      assert.ok(
        registered,
        `${spec.type} ${spec.logicalName}: no resource with URN ${urnOf(file, spec, "dev")}`,
      );
      assert.equal(registered.type, spec.type);
      assert.equal(spec.id, EXPECTED_ID[spec.type](registered.inputs), spec.logicalName);
      assert.equal(file.nameTable[spec.provider!], registered.provider!.split("::").slice(0, -1).join("::"));
      assert.equal(spec.version, "6.15.0");
    }
  });

  it("adopts staging's repository variables under their URNs, by repository and name", async () => {
    const staging = await committedStack("staging");
    const own = adoptionFile(staging.resources, { repository: "shop", kinds: ["variables"] });
    const variables = own.resources.filter((r) => r.type === "github:index/actionsVariable:ActionsVariable");
    assert.deepEqual(variables.map((v) => v.id).sort(), [
      "shop:REGISTRY_URLS_STAGING",
      "shop:RUNNER_LABELS_STAGING",
    ]);
    const spec = variables.find((v) => v.id === "shop:REGISTRY_URLS_STAGING")!;
    assert.equal(
      staging.resources.find((r) => r.urn === urnOf(own, spec, "staging"))?.inputs.variableName,
      "REGISTRY_URLS_STAGING",
    );
  });

  it("declares each component parent once, as a component, under the URN the program gives it", () => {
    const components = file.resources.filter((r) => r.component);
    assert.deepEqual(
      components.map((c) => [c.type, c.logicalName]),
      [
        ["platform:delivery:DeliveryRepository", "repo"],
        ["platform:delivery:DeliveryEnvironment", "development"],
      ],
    );
    for (const c of components) {
      assert.equal(c.id, undefined);
      assert.ok(
        dev.resources.some((r) => !r.custom && r.urn === urnOf(file, c, "dev")),
        c.logicalName,
      );
    }
  });

  it("creates the explicit GitHub provider with the program's inputs, and never its token", () => {
    assert.deepEqual(file.nameTable, { github: "urn:pulumi:dev::platform::pulumi:providers:github::github" });
    assert.deepEqual(file.providerInputs.github, { baseUrl: "https://api.github.com/", owner: "acme-shop" });
  });

  it("leaves a token the provider was registered with out of the provider inputs it writes", () => {
    const provider = "urn:pulumi:dev::platform::pulumi:providers:github::github";
    const own = adoptionFile(
      [
        {
          type: "pulumi:providers:github",
          name: "github",
          urn: provider,
          custom: true,
          inputs: { owner: "acme-shop", token: "ghs_x" },
        },
        {
          type: "github:index/repository:Repository",
          name: "shop",
          urn: "urn:pulumi:dev::platform::github:index/repository:Repository::shop",
          custom: true,
          provider: `${provider}::04da6b54`,
          inputs: { name: "shop" },
        },
      ],
      { repository: "shop", kinds: ["repository"] },
    );
    assert.deepEqual(own.providerInputs, { github: { owner: "acme-shop" } });
    assert.deepEqual(own.resources, [
      {
        type: "github:index/repository:Repository",
        name: "shop",
        logicalName: "shop",
        id: "shop",
        provider: "github",
      },
    ]);
  });

  it("adopts only the chosen kinds: by default the repository and its settings", () => {
    const only = adoptionFile(dev.resources, { repository: "shop", kinds: ["repository"] });
    assert.deepEqual(
      only.resources.map((r) => `${r.type.split(":").at(-1)} ${r.logicalName} ${r.id ?? ""}`.trim()),
      [
        "DeliveryRepository repo",
        "Repository repo-repository shop",
        "WorkflowRepositoryPermissions repo-workflow-token shop",
        "ActionsRepositoryPermissions repo-actions shop",
      ],
    );
  });

  it("leaves out what pulumi up upserts or what cannot exist before the program runs", () => {
    const types = new Set(file.resources.map((r) => r.type));
    for (const type of [
      "github:index/repositoryFile:RepositoryFile",
      "github:index/branch:Branch",
      "github:index/repositoryPullRequest:RepositoryPullRequest",
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
    ])
      assert.equal(types.has(type), false, type);
  });
});
