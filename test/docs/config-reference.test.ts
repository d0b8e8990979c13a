import { strict as assert } from "assert";
import * as path from "path";
import { ConfigKey, configKeys, configReference, SCHEMA_SOURCE } from "../../dev/docs/config-reference";
import { SUPPLEMENTARY_DESCRIPTIONS } from "../../dev/docs/config-descriptions";
import { limitsSection } from "../../dev/docs/limits";
import { parseComment, pathKey, schemaDocs } from "../../dev/docs/schema-docs";
import { stackConfigSchema } from "../../src/config/schema";

describe("the configuration reference", () => {
  let keys: ConfigKey[];
  let byPath: Map<string, ConfigKey>;
  before(() => {
    keys = configKeys();
    byPath = new Map(keys.map((k) => [k.path, k]));
  });

  it("lists every top-level key of the schema", () => {
    for (const top of Object.keys(stackConfigSchema.shape)) assert.ok(byPath.has(`platform:${top}`), top);
  });

  it("lists each key once", () => {
    assert.equal(byPath.size, keys.length);
  });

  // path, type, default, required, the allowed text's start or part, the description's start
  const cases: [string, string, string, string, RegExp, RegExp][] = [
    ["platform:environment", "string", "", "required", /`"production"`/, /^The environment the stack is/],
    [
      "platform:network.azCount",
      "integer",
      "2 (production requires 3)",
      "optional",
      /^1–6$/,
      /^Availability zones to span\.$/,
    ],
    [
      "platform:services[].build.containers",
      "string[]",
      "`[]`",
      "optional",
      /^$/,
      /^Service containers the tests need, pulled by digest/,
    ],
    [
      "platform:logRetentionDays",
      "integer",
      "`365`",
      "optional",
      /^must be a CloudWatch retention period \(1, 3, 5,/,
      /^Log retention for every CloudWatch log group\.$/,
    ],
    [
      "platform:github.backend.bucket",
      "string",
      "",
      'required with `kind: "s3"`',
      /^must be an S3 bucket name; pattern /,
      /^Only with `kind: "s3"`\. State bucket/,
    ],
    [
      "platform:ci.runner.connectionArn",
      "string",
      "",
      'required with `kind: "codebuild"`',
      /^must be the ARN of an AWS CodeConnections connection/,
      /^Only with `kind: "codebuild"`\./,
    ],
    [
      "platform:releases.<service>.digest",
      "string",
      "",
      "required",
      /^must be an image digest: sha256: and 64 hex characters/,
      /^Digest the service runs/,
    ],
    [
      "platform:services[].strategy.maxSurge",
      "integer | string",
      '`"25%"`',
      "optional",
      /^integer ≥ 0 or string pattern `\^\\d\{1,3\}%\$`$/,
      /^Only with `type: "rolling"`\. Extra pods during a rollout\.$/,
    ],
    [
      "platform:services[].dependencies[].port",
      "integer",
      "",
      "required with `{ name, port }`",
      /^1–65535$/,
      /^Only with `\{ name, port \}`\. TCP port/,
    ],
    [
      "platform:eks.nodeGroups[].minSize",
      "integer",
      "",
      "required",
      /^0–450$/,
      /^Fewest nodes the group scales to\. EKS quota "Nodes per managed node group": 450\.$/,
    ],
    [
      "platform:eks.addons.images.prometheus",
      "string",
      "",
      "optional",
      /^must be an image reference pinned by digest/,
      /^Prometheus, mirrored from `quay\.io\/prometheus\/prometheus:v3\.14\.0`/,
    ],
    [
      "platform:github.secrets.provider",
      "string",
      "",
      "required",
      /^`"passphrase"`, `"awskms"`, `"service"`$/,
      /`passphrase`: PULUMI_CONFIG_PASSPHRASE, kept as a GitHub secret\./,
    ],
    [
      "platform:services[].env",
      "map<string>",
      "`{}`",
      "optional",
      /^keys: pattern `\^\[A-Z_\]\[A-Z0-9_\]\*\$`$/,
      /^Plain environment variables \(never secrets\)\.$/,
    ],
  ];
  for (const [key, type, dflt, required, allowed, description] of cases)
    it(`shows ${key}`, () => {
      const k = byPath.get(key);
      assert.ok(k, `no row for ${key}`);
      assert.deepEqual(
        { type: k.type, default: k.default, required: k.required },
        { type, default: dflt, required },
      );
      assert.match(k.allowed, allowed);
      assert.match(k.description, description);
    });

  it("describes every key", () => {
    assert.deepEqual(
      keys.filter((k) => !k.description).map((k) => k.path),
      [],
    );
  });

  it("keeps a supplementary description only for a key that exists and that the schema leaves undocumented", () => {
    const docs = schemaDocs(SCHEMA_SOURCE, "stackConfigSchema");
    const problems = Object.keys(SUPPLEMENTARY_DESCRIPTIONS).flatMap((key) => {
      const k = byPath.get(key);
      if (!k) return [`${key}: no such key`];
      return docs.get(pathKey(k.segments))?.description
        ? [`${key}: the schema documents it now; remove its supplementary description`]
        : [];
    });
    assert.deepEqual(problems, []);
  });

  it("renders a section per top-level key, and an entry under its heading for every key", () => {
    const page = configReference(keys);
    for (const heading of ["## Stack-wide keys", "## `services`", "## `operations`"])
      assert.ok(page.includes(`\n${heading}\n`) || page.startsWith(`${heading}\n`), heading);
    for (const k of keys) assert.ok(page.includes(`\n### \`${k.path}\`\n`), k.path);
    assert.ok(
      page.includes(
        "### `platform:network.azCount`\n\n`integer` · optional · default: 2 (production requires 3)\n\nAllowed: 1–6\n\nAvailability zones to span.",
      ),
    );
  });
});

describe("schemaDocs", () => {
  it("follows identifiers across files, spreads and picks", () => {
    const docs = schemaDocs(SCHEMA_SOURCE, "stackConfigSchema");
    const at = (...segments: string[]) => docs.get(pathKey(segments));
    // addon-images.ts, through addonsSchema → addonImagesSchema
    assert.match(
      at("eks", "addons", "images", "metricsServer")?.description ?? "",
      /^metrics-server, mirrored/,
    );
    // the releasePinsShape spread, under a record and again under `previous`
    assert.equal(at("releases", "*", "previous", "canaryWeight")?.default, "0");
    // githubSchema.pick(…).extend(…): the picked keys and the extension
    assert.match(at("applications", "[]", "github", "plan")?.description ?? "", /^The owner's GitHub plan/);
    assert.equal(at("applications", "[]", "github", "branchModel")?.default, '"gitflow"');
    // a doc comment on the declaration a key names (exposureSchema)
    assert.match(at("services", "[]", "exposure")?.description ?? "", /^Who reaches the service/);
  });
});

describe("parseComment", () => {
  const cases: [string, { description?: string; default?: string }][] = [
    [
      '/** VPC CIDR; split per AZ. @default "10.0.0.0/16" */',
      { description: "VPC CIDR; split per AZ.", default: '"10.0.0.0/16"' },
    ],
    ["/** @default 300 (the job's own limit) */", { default: "300 (the job's own limit)" }],
    ["/**\n   * Two\n   * lines.\n   * @default [] */", { description: "Two lines.", default: "[]" }],
    ["/** Mail a@b.c stays text. */", { description: "Mail a@b.c stays text." }],
    ['// EKS quota "Nodes": 450.', { description: 'EKS quota "Nodes": 450.' }],
  ];
  for (const [raw, parsed] of cases)
    it(JSON.stringify(raw), () => assert.deepEqual(parseComment(raw), parsed));
});

describe("the limit tables", () => {
  it("list each constant with its value and the source its comment cites", () => {
    const section = limitsSection();
    assert.match(
      section,
      /\| `EKS_MAX_PUBLIC_ACCESS_CIDRS` \| `40` \| EKS: "You can enter up to 40 public access CIDR blocks"/,
    );
    assert.match(section, /\| `DEPLOY_JOB_TIMEOUT_MINUTES` \| `60` \| deploy-service\.yml's deploy job/);
    assert.match(
      section,
      /\| `aws:lb\/targetGroup:TargetGroup` \| 32 \| ELB target group names \| "Target group name/,
    );
    assert.ok(!section.includes("[object Object]"));
    assert.ok(!/apiLimitRules|maxServiceNameLength/.test(section), "functions are not limits");
    assert.ok(path.isAbsolute(SCHEMA_SOURCE));
  });
});
