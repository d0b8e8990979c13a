/**
 * Property-based tests: generated configurations (committed stacks changed by generated edits,
 * see config-arbitrary.ts) through the validation and the whole program under mocks. Seeded, so a
 * failure reproduces: fast-check prints the seed and path; rerun with PROPERTY_SEED=<seed>.
 * PROPERTY_RUNS scales the fixed budget (1 = CI's).
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { Evaluation, evaluate, RecordedResource } from "../../dev/harness/evaluate";
import { readPackConfig, runGate } from "../../dev/harness/policy-harness";
import { program, stackAccount } from "../../dev/harness/program";
import {
  AUTONAME_SUFFIX_LENGTH,
  ECR_REPOSITORY_NAME,
  PHYSICAL_NAME_LIMITS,
} from "../../src/config/api-limits";
import { ConfigError, parseStackConfig, sortedByKey } from "../../src/config/validate";
import { asStackFile, GeneratedConfig, generatedConfig } from "./config-arbitrary";

const SEED = Number(process.env.PROPERTY_SEED ?? 20261123);
const SCALE = Number(process.env.PROPERTY_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** The outcome of validating a generated configuration: accepted, or the ConfigError's problems. */
function validate(c: GeneratedConfig): { accepted: true } | { accepted: false; error: ConfigError } {
  try {
    parseStackConfig(c.stack, structuredClone(c.values), c.region);
    return { accepted: true };
  } catch (e) {
    if (e instanceof ConfigError) return { accepted: false, error: e };
    throw new Error(`validation threw ${String(e)} instead of a ConfigError; edits: ${c.edits.join("; ")}`);
  }
}

/** The input that names a resource type's physical resource, where it is not `name`. */
const NAME_INPUT: Record<string, string> = {
  "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
  "aws:ecs/taskDefinition:TaskDefinition": "family",
  "aws:s3/bucket:Bucket": "bucket",
};
/** The Kubernetes provider auto-names `<name>-` and 8 random characters. */
const KUBERNETES_AUTONAME_SUFFIX = 9;

/** The physical name a resource gets: as given, or auto-named (the suffix's length stands in for it). */
export function physicalName(r: RecordedResource): string {
  if (r.type.startsWith("kubernetes:")) {
    const given = r.inputs.metadata?.name;
    return typeof given === "string" ? given : `${r.name}-${"x".repeat(KUBERNETES_AUTONAME_SUFFIX - 1)}`;
  }
  const given = r.inputs[NAME_INPUT[r.type] ?? "name"];
  if (typeof given === "string") return given;
  const prefix = r.inputs[r.type === "aws:s3/bucket:Bucket" ? "bucketPrefix" : "namePrefix"];
  // A prefix gets Terraform's 26-character unique suffix.
  if (typeof prefix === "string") return `${prefix}${"x".repeat(26)}`;
  return `${r.name}-${"x".repeat(AUTONAME_SUFFIX_LENGTH - 1)}`;
}

/** Every resource whose physical name a real API would refuse, as "type name: why". */
export function namesPastLimits(resources: readonly RecordedResource[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    if (!r.custom || !Object.hasOwn(PHYSICAL_NAME_LIMITS, r.type)) continue;
    const { max, doc } = PHYSICAL_NAME_LIMITS[r.type];
    const name = physicalName(r);
    if (name.length > max)
      out.push(`${r.type} ${r.name}: "${name}" is ${name.length} characters; ${doc} take ${max}`);
    if (r.type === "aws:ecr/repository:Repository" && !ECR_REPOSITORY_NAME.test(name))
      out.push(`${r.type} ${r.name}: "${name}" breaks ECR's repository name pattern`);
  }
  return out;
}

/** URNs registered more than once: the engine refuses the second registration. */
export function duplicateUrns(resources: readonly RecordedResource[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const r of resources) (seen.has(r.urn) ? out : seen).add(r.urn);
  return [...out];
}

describe("generated configurations", function () {
  this.timeout(600_000);

  it("are accepted or refused with one ConfigError whose problems name keys, sorted by key", () => {
    let refused = 0;
    fc.assert(
      fc.property(generatedConfig({ maxEdits: 4, rawWeight: 2 }), (c) => {
        const outcome = validate(c);
        if (outcome.accepted) return;
        refused++;
        const problems = outcome.error.problems;
        assert.ok(problems.length > 0, "a ConfigError lists at least one problem");
        for (const p of problems) {
          assert.match(p.key, /^(platform:[A-Za-z]|aws:region$|\(stack name\)$)/, `a key, not ${p.key}`);
          assert.ok(p.allowed.length > 0, `${p.key} says what is allowed`);
        }
        assert.deepEqual(
          problems.map((p) => p.key),
          sortedByKey(problems).map((p) => p.key),
        );
      }),
      { seed: SEED, numRuns: runs(400) },
    );
    assert.ok(
      refused > 40,
      `the generator still produces refused configurations (${refused} of ${runs(400)})`,
    );
  });

  it("that are accepted evaluate with names within their APIs' limits, no duplicate URN, and pass the pack at mandatory", async () => {
    let accepted = 0;
    const total = runs(30);
    await fc.assert(
      fc.asyncProperty(generatedConfig({ maxEdits: 2, rawWeight: 0 }), async (c) => {
        if (!validate(c).accepted) return;
        accepted++;
        const evaluation: Evaluation = await evaluate(c.stack, asStackFile(c), program, {
          account: stackAccount(c.stack),
        });
        assert.deepEqual(namesPastLimits(evaluation.resources), [], c.edits.join("; "));
        assert.deepEqual(duplicateUrns(evaluation.resources), [], c.edits.join("; "));
        const gate = runGate(evaluation.resources, readPackConfig(c.stack));
        assert.deepEqual(
          gate.mandatory.map((f) => `${f.policy} ${f.resource ?? "(stack)"}: ${f.message}`),
          [],
          c.edits.join("; "),
        );
      }),
      { seed: SEED, numRuns: total },
    );
    assert.ok(
      accepted >= total / 4,
      `enough accepted configurations to exercise the program (${accepted} of ${total})`,
    );
  });
});

describe("the property suite's own checks", () => {
  const resource = (type: string, name: string, inputs: Record<string, any> = {}): RecordedResource => ({
    type,
    name,
    urn: `urn:pulumi:dev::platform::${type}::${name}`,
    inputs,
    custom: true,
    protect: false,
    dependencies: [],
    propertyDependencies: {},
    rawInputs: {},
  });

  it("find a target group whose auto-name passes 32 characters, and not one that fits", () => {
    assert.deepEqual(
      namesPastLimits([resource("aws:lb/targetGroup:TargetGroup", "payments-settlement-x-tg")]),
      [],
    );
    assert.deepEqual(
      namesPastLimits([resource("aws:lb/targetGroup:TargetGroup", "payments-settlement-xy-tg")]),
      [
        'aws:lb/targetGroup:TargetGroup payments-settlement-xy-tg: "payments-settlement-xy-tg-xxxxxxx" is 33 characters; ELB target group names take 32',
      ],
    );
  });

  it("find an ECR repository name with a doubled hyphen, and a Kubernetes Service name past 63", () => {
    assert.deepEqual(
      namesPastLimits([
        resource("aws:ecr/repository:Repository", "repo", { name: "platform-dev/my--api" }),
        resource("kubernetes:core/v1:Service", "svc", { metadata: { name: "s".repeat(64) } }),
      ]),
      [
        `aws:ecr/repository:Repository repo: "platform-dev/my--api" breaks ECR's repository name pattern`,
        `kubernetes:core/v1:Service svc: "${"s".repeat(64)}" is 64 characters; Kubernetes Service names take 63`,
      ],
    );
  });

  it("find a URN registered twice", () => {
    const twice = resource("kubernetes:core/v1:Service", "web-preview-svc");
    assert.deepEqual(duplicateUrns([twice, resource("kubernetes:core/v1:Service", "web-svc"), twice]), [
      twice.urn,
    ]);
  });
});
