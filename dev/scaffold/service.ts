/**
 * Onboards a service from a few choices: its block in every environment's stack file (replicas
 * growing toward production, a database's connection secret per environment) and its skeleton
 * under services/<name>/. Before anything is written it says what the choices pull in: the
 * configuration check of each stack with the service added names every add-on, mirrored image or
 * setting the stack still lacks, and the secrets to create.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ConfigError, parseStackConfig } from "../../src/config";
import { knownStacks, parseYamlFile, stackFilePath } from "../../src/config/stack-files";
import { UsageError } from "../../src/lib/cli";
import { nodeSkeleton, pythonSkeleton } from "./templates";

export const TOOLCHAINS = ["python", "node"] as const;
export const TARGETS = ["eks", "ecs"] as const;
export const STRATEGIES = ["rolling", "blueGreen", "canary"] as const;

export interface ServiceRequest {
  readonly name: string;
  readonly toolchain: (typeof TOOLCHAINS)[number];
  readonly target: (typeof TARGETS)[number];
  readonly strategy: (typeof STRATEGIES)[number];
  readonly port: number;
  /** A database: its connection URL as the secret DATABASE_URL, one per environment. */
  readonly database: boolean;
  readonly application?: string;
  readonly exposure?: "cluster" | "internal" | "public";
}

export interface StackEdit {
  readonly stack: string;
  readonly file: string;
  readonly service: Record<string, unknown>;
  /** The secret a person creates before the first deploy, when the service has a database. */
  readonly secret?: string;
}

export interface ServicePlan {
  readonly edits: StackEdit[];
  /** Files under services/<name>/, by path relative to it. */
  readonly files: Record<string, string>;
  /** What the choices pull in, per stack: every problem the stack's check still reports. */
  readonly pulls: string[];
}

/** Replicas by environment: one where people try things, more toward production. */
const REPLICAS: Record<string, number> = { development: 1, staging: 2, production: 3 };

/** The account and region a stack's resources live in, read from the ARNs its file names. */
function accountOf(values: Record<string, unknown>, region: string): { account: string; region: string } {
  const arn = /arn:aws:[a-z0-9-]+:([a-z0-9-]*):(\d{12}):/.exec(JSON.stringify(values));
  return { account: arn?.[2] ?? "<account>", region: arn?.[1] || region };
}

/** The stack's `platform:` values without the prefix. */
const platformValues = (config: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith("platform:"))
      .map(([k, v]) => [k.slice("platform:".length), structuredClone(v)]),
  ) as Record<string, any>;

function serviceBlock(req: ServiceRequest, environment: string, secret?: string): Record<string, unknown> {
  return {
    name: req.name,
    ...(req.application ? { application: req.application } : {}),
    port: req.port,
    target: req.target,
    ...(req.exposure ? { exposure: req.exposure } : {}),
    replicas: Math.max(REPLICAS[environment] ?? 1, req.strategy === "canary" ? 4 : 1),
    strategy: req.strategy === "canary" ? { type: "canary", steps: [25, 50, 100] } : { type: req.strategy },
    build: { toolchain: req.toolchain },
    ...(secret ? { secrets: { DATABASE_URL: secret } } : {}),
  };
}

/** Stacks a service goes to by default: every stack file's but the local one's. */
export function defaultStacks(root: string): string[] {
  return knownStacks(root).filter((stack) => {
    const doc = parseYamlFile(
      stackFilePath(stack, root),
      fs.readFileSync(stackFilePath(stack, root), "utf8"),
    );
    return doc?.config?.["platform:environment"] !== "local";
  });
}

/** The plan: nothing is written here. */
export function planService(req: ServiceRequest, stacks: readonly string[], root: string): ServicePlan {
  const edits: StackEdit[] = [];
  const pulls: string[] = [];
  for (const stack of stacks) {
    const file = stackFilePath(stack, root);
    if (!fs.existsSync(file)) throw new UsageError(`No stack file ${path.basename(file)} in ${root}`);
    const doc = parseYamlFile(file, fs.readFileSync(file, "utf8"));
    const values = platformValues(doc?.config ?? {});
    const services = (values.services ?? []) as { name: string }[];
    if (services.some((s) => s.name === req.name))
      throw new UsageError(`${path.basename(file)} has a service named ${req.name} already`);
    const environment = String(values.environment ?? "development");
    const where = accountOf(values, String(doc?.config?.["aws:region"] ?? "eu-west-1"));
    const secret = req.database
      ? `arn:aws:secretsmanager:${where.region}:${where.account}:secret:${stack}/${req.name}/database-url-AbCdEf`
      : undefined;
    const service = serviceBlock(req, environment, secret);
    edits.push({ stack, file, service, ...(secret ? { secret } : {}) });
    if (secret)
      pulls.push(
        `${stack}: create the secret holding ${req.name}'s database URL and put its ARN in services[].secrets.DATABASE_URL (written as ${secret})`,
      );
    try {
      parseStackConfig(stack, { ...values, services: [...services, service] }, where.region);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const index = services.length;
      // The service's directory is written with the stack files: its absence now is not a pull.
      for (const p of e.problems)
        if (!p.key.startsWith(`platform:services[${index}].build`))
          pulls.push(`${stack}: ${p.key}: ${p.allowed}`);
    }
  }
  const skeleton = { name: req.name, port: req.port };
  return {
    edits,
    files: req.toolchain === "python" ? pythonSkeleton(skeleton) : nodeSkeleton(skeleton),
    pulls,
  };
}

/** Writes the plan: each stack file keeps its comments, the skeleton goes under services/<name>/. */
export function writeService(plan: ServicePlan, name: string, root: string): string[] {
  const written: string[] = [];
  const dir = path.join(root, "services", name);
  if (fs.existsSync(dir)) throw new UsageError(`services/${name} exists already`);
  for (const edit of plan.edits) {
    const doc = YAML.parseDocument(fs.readFileSync(edit.file, "utf8"));
    const services = doc.getIn(["config", "platform:services"]);
    const node = doc.createNode(edit.service);
    if (edit.secret)
      node.commentBefore = ` ${name}: create its database URL secret, then replace this ARN with it.`;
    if (YAML.isSeq(services)) services.items.push(node);
    else doc.setIn(["config", "platform:services"], doc.createNode([edit.service]));
    fs.writeFileSync(edit.file, doc.toString({ lineWidth: 0 }));
    written.push(path.relative(root, edit.file));
  }
  for (const [file, content] of Object.entries(plan.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
    written.push(path.join("services", name, file));
  }
  return written;
}
