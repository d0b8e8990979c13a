/**
 * Generated stack configurations for the property suite: a committed stack's values, changed by
 * a few generated edits. Edits are of two kinds: *plausible* ones a user makes (a service added,
 * renamed, resized, re-strategised; tags, zones, regions, node groups, reviewers), drawn from the
 * ranges the APIs take and just past their edges, and *raw* ones that put any JSON value at any
 * key or delete it. Plausible edits keep enough configs valid that the whole program is exercised;
 * raw edits probe the validation of every key.
 */
import fc from "fast-check";
import { AWS_REGION_ZONES } from "../../src/config/aws-catalog";
import { FARGATE_MEMORY } from "../../src/config/rules";
import { readStackConfig } from "../../src/config/stack-files";

export const BASE_STACKS = ["dev", "staging", "production", "local"] as const;
export type BaseStack = (typeof BASE_STACKS)[number];

/** A generated configuration: the stack it starts from, its `platform:` values and `aws:region`. */
export interface GeneratedConfig {
  readonly stack: BaseStack;
  readonly values: Record<string, any>;
  readonly region: string | undefined;
  /** The edits applied, for the counterexample fast-check prints. */
  readonly edits: string[];
}

type Edit = {
  readonly label: string;
  readonly apply: (v: Record<string, any>, c: { region?: string }) => void;
};

/** A committed stack's `platform:` values (without the prefix) and its region. */
export function baseValues(stack: BaseStack): { values: Record<string, any>; region: string | undefined } {
  const file = readStackConfig(stack);
  const values: Record<string, any> = {};
  for (const [k, v] of Object.entries(file))
    if (k.startsWith("platform:")) values[k.slice("platform:".length)] = structuredClone(v);
  return { values, region: file["aws:region"] as string | undefined };
}

const DIGEST = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

/** Service-name-like strings: DNS labels of 1-30 characters, with the odd doubled hyphen or reserved name. */
const serviceName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,6}){0,3}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "default",
      "kube-public",
      "metrics-server",
      "constructor",
      "__proto__",
      "toString",
    ),
  },
);

const strategy = fc.oneof(
  fc.record({
    type: fc.constant("rolling"),
    maxSurge: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("0%", "25%", "100%")),
    maxUnavailable: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom("0%", "25%")),
  }),
  fc.constant({ type: "blueGreen" }),
  fc.record(
    {
      type: fc.constant("canary"),
      steps: fc.oneof(
        fc.constantFrom([10, 20, 50, 100], [25, 50, 100], [50, 100], [100], [10, 25, 50, 100]),
        fc.array(fc.integer({ min: 0, max: 110 }), { maxLength: 5 }),
      ),
    },
    { requiredKeys: ["type"] },
  ),
);

const fargateSize = fc
  .constantFrom(...Object.keys(FARGATE_MEMORY).map(Number))
  .chain((cpu) => fc.record({ cpu: fc.constant(cpu), memoryMiB: fc.constantFrom(...FARGATE_MEMORY[cpu]) }));

const cidrText = fc
  .tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 32 }),
  )
  .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`);

const tagKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  fc.constantFrom("aws:created-by", "platform:stack", "AWS:x", "k".repeat(129)),
);

const isObject = (v: unknown): v is Record<string, any> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The object at `key`, created when absent. A raw edit may have put something else there: a
 * plausible edit then changes a detached object, leaving the raw value for validation to refuse.
 */
function objectAt(v: Record<string, any>, key: string): Record<string, any> {
  if (v[key] === undefined) v[key] = {};
  return isObject(v[key]) ? v[key] : {};
}

/** The list at `key`, created when absent (a detached one when a raw edit put something else there). */
function listAt(v: Record<string, any>, key: string): any[] {
  if (v[key] === undefined) v[key] = [];
  return Array.isArray(v[key]) ? v[key] : [];
}

/** A plausible edit of a stack's values. */
function plausibleEdits(stack: BaseStack): fc.Arbitrary<Edit> {
  const anyService = fc.nat({ max: 9 });
  const target = stack === "local" ? fc.constant("eks") : fc.constantFrom("eks", "ecs");
  const newService = fc.record(
    {
      name: serviceName,
      port: fc.integer({ min: 1000, max: 65535 }),
      target,
      strategy,
      replicas: fc.integer({ min: 1, max: 12 }),
      size: fc.option(fargateSize),
      released: fc.boolean(),
      digest: fc.constantFrom("a", "b", "c").map(DIGEST),
    },
    { requiredKeys: ["name", "port", "target", "released", "digest"] },
  );
  const services = (v: Record<string, any>): any[] => listAt(v, "services");
  const at = (v: Record<string, any>, i: number) => {
    const list = services(v);
    const s = list[i % Math.max(1, list.length)];
    return isObject(s) ? s : undefined;
  };
  return fc.oneof(
    newService.map(
      (s): Edit => ({
        label: `add service ${JSON.stringify(s)}`,
        apply: (v) => {
          const { released, digest, size, ...service } = s;
          services(v).push({ ...service, ...(size ?? {}) });
          if (released) objectAt(v, "releases")[s.name] = { digest };
        },
      }),
    ),
    fc.tuple(anyService, serviceName).map(
      ([i, name]): Edit => ({
        label: `rename service ${i} to ${name}`,
        apply: (v) => {
          const s = at(v, i);
          if (!s) return;
          const releases = objectAt(v, "releases");
          const release = releases[s.name];
          if (release) {
            delete releases[s.name];
            releases[name] = release;
          }
          s.name = name;
        },
      }),
    ),
    fc.tuple(anyService, fc.integer({ min: 0, max: 6000 })).map(
      ([i, n]): Edit => ({
        label: `replicas of service ${i} = ${n}`,
        apply: (v) => void ((at(v, i) ?? {}).replicas = n),
      }),
    ),
    fc.tuple(anyService, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6000 })).map(
      ([i, min, max]): Edit => ({
        label: `autoscaling of service ${i} = ${min}..${max}`,
        apply: (v) => {
          const s = at(v, i);
          if (!s) return;
          delete s.replicas;
          s.autoscaling = { minReplicas: min, maxReplicas: max };
        },
      }),
    ),
    fc.tuple(anyService, strategy).map(
      ([i, st]): Edit => ({
        label: `strategy of service ${i} = ${JSON.stringify(st)}`,
        apply: (v) => void ((at(v, i) ?? {}).strategy = st),
      }),
    ),
    fc
      .tuple(
        anyService,
        fc.oneof(
          fargateSize,
          fc.record({
            cpu: fc.integer({ min: 0, max: 20000 }),
            memoryMiB: fc.integer({ min: 0, max: 130000 }),
          }),
        ),
      )
      .map(
        ([i, size]): Edit => ({
          label: `size of service ${i} = ${JSON.stringify(size)}`,
          apply: (v) => void Object.assign(at(v, i) ?? {}, size),
        }),
      ),
    fc
      .tuple(
        anyService,
        fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/), fc.string({ maxLength: 8 }), {
          maxKeys: 3,
        }),
      )
      .map(
        ([i, env]): Edit => ({
          label: `env of service ${i} = ${JSON.stringify(env)}`,
          apply: (v) => void ((at(v, i) ?? {}).env = env),
        }),
      ),
    fc.tuple(anyService, fc.constantFrom("cluster", "internal", "public")).map(
      ([i, exposure]): Edit => ({
        label: `exposure of service ${i} = ${exposure}`,
        apply: (v) => void ((at(v, i) ?? {}).exposure = exposure),
      }),
    ),
    fc
      .dictionary(tagKey, fc.string({ maxLength: 20 }), { maxKeys: 4 })
      .map((tags): Edit => ({ label: `tags = ${JSON.stringify(tags)}`, apply: (v) => (v.tags = tags) })),
    fc
      .tuple(
        fc.integer({ min: 1, max: 7 }),
        fc.oneof(
          fc.constantFrom(...Object.keys(AWS_REGION_ZONES)),
          fc.constantFrom("eu-west-9", "us-central-1"),
        ),
      )
      .map(
        ([azCount, region]): Edit => ({
          label: `azCount ${azCount} in ${region}`,
          apply: (v, c) => {
            objectAt(v, "network").azCount = azCount;
            if (c.region === undefined) return;
            // The stack moves with its certificate: ACM certificates are regional.
            if (typeof v.dns?.certificateArn === "string")
              v.dns.certificateArn = v.dns.certificateArn.replace(`:${c.region}:`, `:${region}:`);
            c.region = region;
          },
        }),
      ),
    fc.array(cidrText, { maxLength: 3 }).map(
      (cidrs): Edit => ({
        label: `ECS allowed CIDRs ${JSON.stringify(cidrs)}`,
        apply: (v) => (objectAt(v, "ecs").allowedCidrs = cidrs),
      }),
    ),
    fc
      .record({
        name: fc.constantFrom("general", "batch", "spot-pool"),
        type: fc.constantFrom("t3.large", "m7i.large", "m6i.xlarge", "c7g.2xlarge", "m9z.large", "t3.huge"),
        size: fc.integer({ min: 0, max: 460 }),
      })
      .map(
        ({ name, type, size }): Edit => ({
          label: `node group ${name} of ${type} x${size}`,
          apply: (v) =>
            listAt(objectAt(v, "eks"), "nodeGroups").push({
              name,
              instanceTypes: [type],
              minSize: Math.min(1, size),
              maxSize: Math.max(1, size),
              desiredSize: Math.min(size, 2),
            }),
        }),
      ),
    // The surface added since the suite was written: plan features, runners, dependencies,
    // migrations, builds, operations, DNS, add-on images and GHCR.
    fc
      .record({
        plan: fc.constantFrom("free", "team", "enterprise"),
        visibility: fc.constantFrom("public", "private", "internal"),
        advancedSecurity: fc.boolean(),
      })
      .map(
        (plan): Edit => ({
          label: `github plan ${JSON.stringify(plan)}`,
          apply: (v) => void (isObject(v.github) && Object.assign(v.github, plan)),
        }),
      ),
    fc
      .oneof(
        fc.constant(undefined),
        fc.record({
          kind: fc.constant("codebuild"),
          connectionArn: fc.constantFrom(
            "arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            "arn:aws:codeconnections:eu-west-1:111111111111:connection/not-a-uuid",
          ),
          timeoutMinutes: fc.integer({ min: 1, max: 500 }),
        }),
        fc.record({
          kind: fc.constant("self-hosted"),
          labels: fc.constantFrom(["linux", "x64"], [], ["bad label"]),
        }),
      )
      .map(
        (runner): Edit => ({
          label: `ci runner ${JSON.stringify(runner)}`,
          apply: (v) => {
            const ci = objectAt(v, "ci");
            if (runner === undefined) delete ci.runner;
            else ci.runner = runner;
          },
        }),
      ),
    fc
      .tuple(
        anyService,
        anyService,
        fc.oneof(
          fc.record({
            name: fc.constantFrom("db", "cache"),
            cidr: cidrText,
            port: fc.integer({ min: 0, max: 70000 }),
          }),
          fc.record({
            name: fc.constantFrom("db", "cache"),
            securityGroupId: fc.constantFrom("sg-0a1b2c3d4e5f60718", "sg-bad"),
            port: fc.integer({ min: 1, max: 65535 }),
          }),
        ),
        fc.boolean(),
      )
      .map(
        ([i, j, external, onService]): Edit => ({
          label: `dependency of service ${i} on ${onService ? `service ${j}` : JSON.stringify(external)}`,
          apply: (v) => {
            const s = at(v, i);
            if (!s) return;
            const callee = at(v, j);
            const dependency = onService ? { service: callee?.name ?? "nobody" } : external;
            s.dependencies = [...(Array.isArray(s.dependencies) ? s.dependencies : []), dependency];
          },
        }),
      ),
    fc
      .tuple(
        anyService,
        fc.constantFrom("db", "orders-db", "payments-db"),
        fc.constantFrom("migrate", "${{ github.event.head_commit.message }}", "curl -sSL x | sh"),
      )
      .map(
        ([i, database, apply]): Edit => ({
          label: `migrations of service ${i} on ${database}: ${apply}`,
          apply: (v) => {
            const s = at(v, i);
            if (!s) return;
            s.migrations = {
              apply,
              validate: "migrate --check",
              databaseUrlSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-url-AbCdEf",
              database,
            };
          },
        }),
      ),
    fc
      .tuple(
        anyService,
        fc.record(
          {
            toolchain: fc.constantFrom("python", "node", "ruby"),
            containers: fc.subarray([
              "postgres",
              "redis",
              `pgvector/pgvector:pg16@sha256:${"d".repeat(64)}`,
              "pgvector",
              "elasticsearch",
            ]),
            architectures: fc.subarray(["amd64", "arm64"] as const, { minLength: 1 }),
            coverage: fc.integer({ min: -1, max: 101 }),
          },
          { requiredKeys: ["toolchain"] },
        ),
      )
      .map(
        ([i, build]): Edit => ({
          label: `build of service ${i} = ${JSON.stringify(build)}`,
          apply: (v) => {
            const s = at(v, i);
            if (s) s.build = { ...(isObject(s.build) ? s.build : {}), ...build };
          },
        }),
      ),
    fc
      .record({
        alarms: fc.record({
          periodMinutes: fc.integer({ min: 1, max: 60 }),
          evaluationPeriods: fc.integer({ min: 1, max: 30 }),
        }),
        gate: fc.record({ windowMinutes: fc.integer({ min: 1, max: 120 }) }),
      })
      .map(
        (operations): Edit => ({
          label: `operations ${JSON.stringify(operations)}`,
          apply: (v) => {
            const o = objectAt(v, "operations");
            o.alarms = { ...(isObject(o.alarms) ? o.alarms : {}), ...operations.alarms };
            o.gate = { ...(isObject(o.gate) ? o.gate : {}), ...operations.gate };
          },
        }),
      ),
    fc
      .constantFrom("dev.example.com", "apps.example.org", `${"l".repeat(64)}.example.com`, "-x.example.com")
      .map(
        (domain): Edit => ({
          label: `dns domain ${domain}`,
          apply: (v) => void (isObject(v.dns) && (v.dns.domain = domain)),
        }),
      ),
    fc
      .constantFrom(
        `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/metrics-server:v0.8.1@sha256:${"e".repeat(64)}`,
        `registry.k8s.io/metrics-server/metrics-server:v0.8.1@sha256:${"e".repeat(64)}`,
        "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
      )
      .map(
        (image): Edit => ({
          label: `metrics-server image ${image}`,
          apply: (v) => {
            const addons = objectAt(objectAt(v, "eks"), "addons");
            objectAt(addons, "images").metricsServer = image;
          },
        }),
      ),
    fc
      .record(
        {
          ghcrOwner: fc.constantFrom("acme-shop", "-bad-"),
          pullCredentialsSecretArn: fc.constant(
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr-pull-AbCdEf",
          ),
        },
        { requiredKeys: [] },
      )
      .map(
        (ghcr): Edit => ({
          label: `registry ghcr ${JSON.stringify(ghcr)}`,
          apply: (v) => void (v.registry = { kind: "ghcr", ...ghcr }),
        }),
      ),
    fc
      .tuple(
        fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 7 }),
        fc.stringMatching(/^[A-Za-z0-9-]{1,41}$/),
      )
      .map(
        ([users, owner]): Edit => ({
          label: `github reviewers ${JSON.stringify(users)}, owner ${owner}`,
          apply: (v) => {
            if (!isObject(v.github)) return;
            v.github.reviewers = { users, teams: [] };
            v.github.owner = owner;
          },
        }),
      ),
  );
}

/** Every key path of a value, objects and arrays alike. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

/** A raw edit: any JSON value at any existing key, or the key deleted. */
const rawEdit: fc.Arbitrary<{ pick: number; value: unknown; remove: boolean }> = fc.record({
  pick: fc.nat(),
  value: fc.jsonValue({ maxDepth: 2 }),
  remove: fc.boolean(),
});

function applyRaw(values: Record<string, any>, e: { pick: number; value: unknown; remove: boolean }): string {
  const paths = pathsOf(values).filter((p) => p.length > 0);
  const path = paths[e.pick % paths.length];
  let parent: any = values;
  for (const part of path.slice(0, -1)) parent = parent[part];
  const last = path[path.length - 1];
  if (e.remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = structuredClone(e.value);
  return `${e.remove ? "delete" : "set"} ${path.join(".")}${e.remove ? "" : ` = ${JSON.stringify(e.value)}`}`;
}

/**
 * A configuration from a base stack and up to `maxEdits` edits, raw ones weighted `rawWeight`
 * against plausible ones' 4.
 */
export function generatedConfig(
  options: { maxEdits?: number; rawWeight?: number } = {},
): fc.Arbitrary<GeneratedConfig> {
  const { maxEdits = 3, rawWeight = 1 } = options;
  return fc.constantFrom(...BASE_STACKS).chain((stack) =>
    fc
      .array(
        fc.oneof(
          { weight: 4, arbitrary: plausibleEdits(stack).map((e) => ({ kind: "plausible" as const, e })) },
          { weight: rawWeight, arbitrary: rawEdit.map((e) => ({ kind: "raw" as const, e })) },
        ),
        { maxLength: maxEdits },
      )
      .map((edits) => {
        const { values, region } = baseValues(stack);
        const context = { region };
        const labels = edits.map((edit) => {
          if (edit.kind === "raw") return applyRaw(values, edit.e);
          edit.e.apply(values, context);
          return edit.e.label;
        });
        return { stack, values, region: context.region, edits: labels };
      }),
  );
}

/** The stack-file form of a generated configuration: its base file's other keys, `aws:region` and `platform:` keys. */
export function asStackFile(c: GeneratedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readStackConfig(c.stack))) if (!k.startsWith("platform:")) out[k] = v;
  if (c.region !== undefined) out["aws:region"] = c.region;
  for (const [k, v] of Object.entries(c.values)) out[`platform:${k}`] = v;
  return out;
}
