/**
 * Evaluates the program for one stack under `pulumi.runtime.setMocks` and records every
 * resource it registers: type, name, inputs, parent and provider. Tests and the offline policy
 * gate use it; AWS is mocked because its provider cannot run here, nothing else is faked.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { zonesOf } from "../../src/config/aws-catalog";
import { toRuntimeConfig } from "../../src/config/stack-files";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, any>;
  readonly parent?: string;
  readonly provider?: string;
  readonly custom: boolean;
  readonly protect: boolean;
  /** URNs this resource depends on (explicit and through its inputs), as the engine records them. */
  readonly dependencies: string[];
  /** Per input property, the URNs its value came from. */
  readonly propertyDependencies: Record<string, string[]>;
  /** The inputs exactly as serialised for the engine (protobuf Struct), unknowns and secrets included. */
  readonly rawInputs: any;
}

export interface Evaluation {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** Resources of one type. */
  ofType(type: string): RecordedResource[];
  /** The one resource with this type and name; throws when absent. */
  get(type: string, name: string): RecordedResource;
}

/** The account the mocks run in unless an evaluation names another. */
export const MOCK_ACCOUNT = "123456789012";

/** The canonical hosted zone of application load balancers in eu-west-1 (the mocks' region). */
export const ALB_ZONE_ID = "Z32O12XQLNTSW2";

/** A UUID-shaped id derived from a name (not random, so two evaluations agree). */
function stableUuid(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The ARN the mocks give the KMS key of a logical name. */
export function mockKeyArn(name: string, account = MOCK_ACCOUNT): string {
  return `arn:aws:kms:eu-west-1:${account}:key/${stableUuid(name)}`;
}

/** Plausible provider-computed state for the mocked AWS resources. */
function mockState(type: string, name: string, inputs: any, ACCOUNT: string): Record<string, unknown> {
  const arn = `arn:aws:${type.split(":")[1]?.split("/")[0] ?? "x"}:eu-west-1:${ACCOUNT}:${name}`;
  const base = { ...inputs, arn, name: inputs.name ?? name };
  switch (type) {
    case "aws:ecr/repository:Repository":
      return {
        ...base,
        // ECR's own ARN form, which policies name and the IAM simulator parses.
        arn: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/${inputs.name ?? name}`,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${inputs.name ?? name}`,
      };
    case "aws:eks/cluster:Cluster":
      return {
        ...base,
        endpoint: `https://${name}.gr7.eu-west-1.eks.amazonaws.com`,
        vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${name}-cluster` },
        certificateAuthority: { data: "Y2VydA==" },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.eu-west-1.amazonaws.com/id/${name.toUpperCase()}` }] },
        ],
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...base, arn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${inputs.name ?? name}` };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { ...base, latestVersion: 1 };
    case "github:index/repository:Repository":
      // GitHub's GraphQL node id: branch protection takes it, and depends on the repository through it.
      return { ...base, nodeId: `R_${name}`, repoId: 1000, fullName: `owner/${inputs.name ?? name}` };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...base,
        dnsName: `${name}.elb.amazonaws.com`,
        zoneId: ALB_ZONE_ID,
        arnSuffix: `app/${name}/50dc6c495c0c9188`,
      };
    case "aws:lb/targetGroup:TargetGroup":
      return { ...base, arnSuffix: `targetgroup/${name}/6d0ecf831eec9f09` };
    case "kubernetes:networking.k8s.io/v1:Ingress": {
      // What the AWS Load Balancer Controller writes once its ALB serves the Ingress.
      const group = inputs.metadata?.annotations?.["alb.ingress.kubernetes.io/group.name"] ?? name;
      const hostname = `k8s-${group}-0123456789.eu-west-1.elb.amazonaws.com`;
      return { ...base, status: { loadBalancer: { ingress: [{ hostname }] } } };
    }
    case "aws:s3/bucket:Bucket": {
      // S3 ARNs carry neither region nor account; policies compare them with what S3 sees.
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix ?? name}abc123`;
      return { ...base, bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "aws:wafv2/webAcl:WebAcl":
      // regional/webacl/<name>/<id>: the form IAM authorises wafv2 actions on.
      return {
        ...base,
        arn: `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/${inputs.name ?? name}/${stableUuid(name)}`,
      };
    case "aws:kms/key:Key": {
      // A key id is a UUID; a stable one per logical name keeps evaluations comparable.
      return { ...base, keyId: stableUuid(name), arn: mockKeyArn(name, ACCOUNT) };
    }
    default:
      return base;
  }
}

const MOCK_ZONES = Array.from({ length: zonesOf("eu-west-1") ?? 0 });

const mocksIn = (
  ACCOUNT: string,
  stackReferences: Readonly<Record<string, Record<string, unknown>>> = {},
  /** Hosted zone id → the zone's domain, as Route 53 answers GetHostedZone. */
  zones: Readonly<Record<string, string>> = {},
): pulumi.runtime.Mocks => ({
  newResource: (args) => {
    if (args.type === "pulumi:pulumi:StackReference") {
      // What the engine reads for a StackReference: the named stack's outputs, secrets marked.
      const name = String(args.inputs.name);
      const outputs = stackReferences[name];
      if (!outputs)
        throw new Error(`no stack ${name} to reference; known: ${Object.keys(stackReferences).join(", ")}`);
      return { id: name, state: { name, outputs, secretOutputNames: [] } };
    }
    return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs, ACCOUNT) };
  },
  call: (args) => {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "ci" };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com" };
      case "aws:index/getRegion:getRegion":
        return { name: "eu-west-1", region: "eu-west-1" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        // The zones eu-west-1 really has: a VPC asking for more must fail here as it would there.
        return {
          names: MOCK_ZONES.map((_, i) => `eu-west-1${"abcdef"[i]}`),
          zoneIds: MOCK_ZONES.map((_, i) => `euw1-az${i + 1}`),
        };
      case "github:index/getUser:getUser":
        return { id: String(1000 + String(args.inputs.username).length), login: args.inputs.username };
      case "github:index/getTeam:getTeam":
        return { id: String(2000 + String(args.inputs.slug).length), slug: args.inputs.slug };
      case "aws:lb/getHostedZoneId:getHostedZoneId":
        return { id: ALB_ZONE_ID, loadBalancerType: args.inputs.loadBalancerType };
      // What AWS answers about the ALB and target groups the load balancer controller created.
      case "aws:lb/getLoadBalancer:getLoadBalancer":
        return { name: args.inputs.name, arnSuffix: `app/${args.inputs.name}/0a1b2c3d4e5f6a7b` };
      case "aws:lb/getTargetGroup:getTargetGroup": {
        const resource = String(args.inputs.tags?.["ingress.k8s.aws/resource"] ?? "");
        const id = createHash("sha256").update(resource).digest("hex").slice(0, 16);
        return { tags: args.inputs.tags, arnSuffix: `targetgroup/k8s-${id.slice(0, 10)}/${id}` };
      }
      case "aws:route53/getZone:getZone": {
        const name = zones[String(args.inputs.zoneId)];
        if (!name) throw new Error(`no hosted zone ${args.inputs.zoneId} (NoSuchHostedZone)`);
        return { zoneId: args.inputs.zoneId, name };
      }
      case "aws:secretsmanager/getSecretVersion:getSecretVersion":
        return { arn: args.inputs.secretId, secretString: "mock-pagerduty-integration-key" };
      case "aws:elb/getServiceAccount:getServiceAccount":
        return { arn: "arn:aws:iam::156460612806:root", id: "156460612806" };
      default:
        return args.inputs;
    }
  },
});

/** The stack's own hosted zone, named as its domain (`platform:dns`): the zone a real account would hold. */
export function hostedZonesOf(config: Record<string, unknown>): Record<string, string> {
  const dns = config["platform:dns"] as { hostedZoneId?: string; domain?: string } | undefined;
  return dns?.hostedZoneId && dns.domain ? { [dns.hostedZoneId]: dns.domain } : {};
}

export interface EvaluateOptions {
  /** Hosted zones Route 53 answers for, id → domain. @default the stack's own, named as its domain */
  readonly zones?: Readonly<Record<string, string>>;
  /** Evaluate as `pulumi preview` does (unknown outputs). @default false */
  readonly preview?: boolean;
  /** Pulumi project name. @default "platform" */
  readonly project?: string;
  /** Config keys (`platform:slackWebhookUrl`) that were set as secrets. @default [] */
  readonly secretKeys?: string[];
  /** AWS account the mocked provider runs in. @default MOCK_ACCOUNT */
  readonly account?: string;
  /**
   * Keep the process's `Error.stackTraceLimit` while evaluating, so the SDK captures stacks as it
   * does under `pulumi preview` (the benchmark measures that). @default false: no stacks captured
   */
  readonly captureStacks?: boolean;
  /** Outputs of the stacks a `StackReference` may name, by the name it gives. @default {} */
  readonly stackReferences?: Readonly<Record<string, Record<string, unknown>>>;
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => (out[key] = deps.getUrnsList()));
  return out;
}

/**
 * Runs `build` (which registers resources) with `config` as the stack configuration and returns
 * everything registered plus the resolved outputs. `config` is keyed like a stack file
 * (`platform:services`), values as written there.
 */
export async function evaluate(
  stack: string,
  config: Record<string, unknown>,
  build: () => Record<string, unknown> | Promise<Record<string, unknown>> | void,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  // The SDK captures a stack per promise and resource (thousands per stack); mocha sets the limit
  // to Infinity and ts-node source-maps every captured frame, which made an evaluation ~4x slower.
  // Nothing under mocks reads those stacks; the caller's limit is restored however this ends.
  const stackTraceLimit = Error.stackTraceLimit;
  // EVALUATE_CAPTURE_STACKS=1 restores the old behaviour, for the benchmark's before/after figure.
  if (!(options.captureStacks ?? process.env.EVALUATE_CAPTURE_STACKS === "1")) Error.stackTraceLimit = 0;
  try {
    return await evaluateWithMocks(stack, config, build, options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function evaluateWithMocks(
  stack: string,
  config: Record<string, unknown>,
  build: () => Record<string, unknown> | Promise<Record<string, unknown>> | void,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const resources: RecordedResource[] = [];
  // Secret keys reach the program as the CLI hands them over (`pulumi config set --secret`).
  pulumi.runtime.setAllConfig(toRuntimeConfig(config), options.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    mocksIn(options.account ?? MOCK_ACCOUNT, options.stackReferences, options.zones ?? hostedZonesOf(config)),
    options.project ?? "platform",
    stack,
    options.preview ?? false,
  );

  // The mock monitor gets the parent URN in the request but not in newResource's arguments:
  // record from the request itself, then let the mock answer.
  const monitor: any = pulumi.runtime.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  let pending = 0;
  // Invokes (getCallerIdentity, …) count too: resources registered after one answers come late.
  for (const method of ["invoke", "call", "registerResourceOutputs"] as const) {
    const original = monitor[method]?.bind(monitor);
    if (!original) continue;
    monitor[method] = (req: any, callback: any) => {
      pending++;
      original(req, (err: any, response: any) => {
        pending--;
        callback(err, response);
      });
    };
  }
  monitor.registerResource = (req: any, callback: any) => {
    pending++;
    register(req, (err: any, response: any) => {
      pending--;
      if (!err) {
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: response.getUrn(),
          inputs: pulumi.runtime.deserializeProperties(req.getObject()),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          custom: req.getCustom(),
          protect: Boolean(req.getProtect()),
          dependencies: req.getDependenciesList(),
          propertyDependencies: propertyDependenciesOf(req),
          rawInputs: req.getObject(),
        });
      }
      callback(err, response);
    });
  };

  // A resource whose inputs fail (an apply that throws) never reaches the monitor: the SDK's
  // promise rejects unhandled, which the real engine reports as a failed program. Here too.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    const exported = (await build()) ?? {};
    const outputs = (await (pulumi.output(exported) as any).promise()) as Record<string, unknown>;
    await settled(() => pending);
    await new Promise((r) => setImmediate(r));
    if (failures.length) throw failures[0];
    return evaluationOf(resources, outputs);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

/** An Evaluation over recorded resources (the first of a type and name wins `get`). */
export function evaluationOf(resources: RecordedResource[], outputs: Record<string, unknown>): Evaluation {
  return {
    resources,
    outputs,
    ofType: (type) => resources.filter((r) => r.type === type),
    get: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found)
        throw new Error(
          `no ${type} named ${name}; have: ${resources
            .filter((r) => r.type === type)
            .map((r) => r.name)
            .join(", ")}`,
        );
      return found;
    },
  };
}

/**
 * Resolves once no registration is in flight across two turns of the event loop: a child
 * registered from inside an `apply` starts only after its parent's registration answered.
 */
async function settled(inFlight: () => number): Promise<void> {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  for (let quiet = 0; quiet < 2; ) {
    await turn();
    quiet = inFlight() === 0 ? quiet + 1 : 0;
  }
}

/** Resources whose inputs differ between two evaluations, with the top-level input keys that changed. */
export function diffEvaluations(
  before: Evaluation,
  after: Evaluation,
): { type: string; name: string; changed: string[] }[] {
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;
  const afterByKey = new Map(after.resources.map((r) => [key(r), r]));
  const out: { type: string; name: string; changed: string[] }[] = [];
  const seen = new Set<string>();
  for (const b of before.resources) {
    seen.add(key(b));
    const a = afterByKey.get(key(b));
    if (!a) {
      out.push({ type: b.type, name: b.name, changed: ["<deleted>"] });
      continue;
    }
    const names = new Set([...Object.keys(b.inputs), ...Object.keys(a.inputs)]);
    const changed = [...names].filter((n) => JSON.stringify(b.inputs[n]) !== JSON.stringify(a.inputs[n]));
    if (changed.length > 0) out.push({ type: b.type, name: b.name, changed: changed.sort() });
  }
  for (const a of after.resources)
    if (!seen.has(key(a))) out.push({ type: a.type, name: a.name, changed: ["<created>"] });
  return out;
}
