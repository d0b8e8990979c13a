// The local stack for real: the Pulumi engine (CLI, kubernetes provider, the program inline, the
// policy pack) deploying onto the embedded Kubernetes control plane. See `--help`.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "node:util";
import { EngineEvent, OutputMap } from "@pulumi/pulumi/automation";
import { KubeClient } from "../cluster/client";
import { EndpointForwarder, unhealthyDigests } from "../cluster/endpoint-forwarder";
import { LocalWorkspaceDir, missingEngineBinaries, policyPackArgs } from "../engine/local-engine";
import { ROOT } from "../paths";
import { appsDir } from "../../src/config/application-stack";
import { knownStacks } from "../../src/config/stack-files";

const HELP = `usage: npm run local -- <command> [--kubeconfig FILE] [--debug]

  up        build or reuse the engine and the control plane, start the control plane (kept
            running in the background), and deploy the local platform stack, then each of its
            application stacks (apps/Pulumi.<application>-local.yaml), with the policy pack;
            prints what each created and its outputs
  preview   preview the local platform stack and its application stacks with the policy pack
  outputs   print the outputs of the platform stack and its application stacks
  release   run a release command on an application stack through the same engine, e.g.
              npm run local -- release deploy --stack storefront-local --service web --digest sha256:…
              npm run local -- release rollback --stack storefront-local --service web --to previous
            (the health gate is answered on the Pods' behalf: kwok Pods run no containers, see
            dev/cluster/endpoint-forwarder.ts)
  down      destroy the application stacks and the local stack, and stop the control plane

  --kubeconfig FILE   deploy onto another cluster (kind, minikube) instead of the embedded one
  --debug             show stack traces

Everything lives in .local/ (git-ignored): control-plane/, kubeconfig, engine/ (workspace, state).`;

const LOCAL = path.join(ROOT, ".local");
const CONTROL_PLANE_DIR = path.join(LOCAL, "control-plane");
const CONTROL_PLANE_PID = path.join(LOCAL, "control-plane.pid");
const EMBEDDED_KUBECONFIG = path.join(LOCAL, "kubeconfig");
const ENGINE_DIR = path.join(LOCAL, "engine");

class UserError extends Error {}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * Builds or links the engine, and the control plane unless another cluster is given (a few
 * seconds when all is cached).
 */
function setupTools(withControlPlane: boolean): void {
  const started = Date.now();
  const r = spawnSync(
    "bash",
    [path.join(ROOT, "dev", "tools", "setup.sh"), withControlPlane ? "local" : "engine"],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0 || missingEngineBinaries().length)
    throw new UserError("building the engine and the control plane failed (see above)");
  console.log(`tools ready in ${seconds(started)}`);
}

function controlPlanePid(): number | undefined {
  const pid = Number(fs.existsSync(CONTROL_PLANE_PID) ? fs.readFileSync(CONTROL_PLANE_PID, "utf8") : NaN);
  if (!Number.isInteger(pid)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function apiReady(kubeconfig: string): Promise<boolean> {
  try {
    return (await KubeClient.fromKubeconfig(kubeconfig).raw("GET", "/readyz")).status === 200;
  } catch {
    return false;
  }
}

/** Starts the embedded control plane in the background unless it runs; true when it is new. */
async function ensureControlPlane(): Promise<boolean> {
  if (controlPlanePid() && (await apiReady(EMBEDDED_KUBECONFIG))) {
    console.log("control plane: running (reused)");
    return false;
  }
  const started = Date.now();
  fs.mkdirSync(LOCAL, { recursive: true });
  fs.rmSync(EMBEDDED_KUBECONFIG, { force: true });
  const log = fs.openSync(path.join(LOCAL, "control-plane.log"), "w");
  const child = spawn(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      path.join(ROOT, "dev", "scripts", "cluster.ts"),
      "--dir",
      CONTROL_PLANE_DIR,
    ],
    { cwd: ROOT, detached: true, stdio: ["ignore", log, log] },
  );
  child.unref();
  fs.writeFileSync(CONTROL_PLANE_PID, String(child.pid));
  const deadline = Date.now() + 180_000;
  while (!(fs.existsSync(EMBEDDED_KUBECONFIG) && (await apiReady(EMBEDDED_KUBECONFIG)))) {
    if (child.exitCode !== null || !controlPlanePid() || Date.now() > deadline)
      throw new UserError(
        `the control plane did not start; its log (.local/control-plane.log):\n${fs.readFileSync(path.join(LOCAL, "control-plane.log"), "utf8").slice(-2000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(
    `control plane: started in ${seconds(started)} (pid ${child.pid}, log .local/control-plane.log)`,
  );
  return true;
}

function workspace(kubeconfig: string): LocalWorkspaceDir {
  return new LocalWorkspaceDir({ dir: ENGINE_DIR, kubeconfig: path.resolve(kubeconfig) });
}

/** The application stacks of the local platform stack, as apps/ has them. */
function localApplicationStacks(): string[] {
  return knownStacks(appsDir()).filter((s) => s.endsWith("-local"));
}

/** One line per resource the update created, updated or deleted, from the engine's events. */
function changes(events: EngineEvent[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    const step = e.resOutputsEvent?.metadata;
    if (!step || step.op === "same" || step.type.startsWith("pulumi:")) continue;
    const name = step.urn.split("::").pop();
    const meta = step.new?.outputs?.metadata as { namespace?: string; name?: string } | undefined;
    const object = meta?.name ? `  (${meta.namespace ? `${meta.namespace}/` : ""}${meta.name})` : "";
    lines.push(`  ${step.op.padEnd(8)} ${step.type}  ${name}${object}`);
  }
  return lines;
}

function printOutputs(outputs: OutputMap): void {
  console.log("\nOutputs:");
  for (const [k, { value, secret }] of Object.entries(outputs))
    if (value !== null && value !== undefined)
      console.log(`  ${k}: ${secret ? "[secret]" : JSON.stringify(value)}`);
}

async function up(kubeconfig: string | undefined): Promise<void> {
  const started = Date.now();
  setupTools(!kubeconfig);
  let cluster = kubeconfig;
  if (!cluster) {
    if (await ensureControlPlane()) {
      // A new control plane is empty: state of an earlier one would describe objects it lacks.
      fs.rmSync(ENGINE_DIR, { recursive: true, force: true });
    }
    cluster = EMBEDDED_KUBECONFIG;
  }
  const ws = workspace(cluster);
  // The platform first (its outputs are the applications' contract), then every application.
  for (const [label, stack] of [
    ["platform stack local", await ws.stack()] as const,
    ...(await Promise.all(
      localApplicationStacks().map(async (s) => [`application stack ${s}`, await ws.appStack(s)] as const),
    )),
  ]) {
    const upStarted = Date.now();
    const events: EngineEvent[] = [];
    const result = await stack.up({
      ...policyPackArgs("local"),
      onOutput: (out) => process.stdout.write(out),
      onEvent: (e) => events.push(e),
    });
    console.log(`\n${label} up: ${result.summary.result} in ${seconds(upStarted)}`);
    const changed = changes(events);
    console.log(changed.length ? `Changed:\n${changed.join("\n")}` : "Nothing changed.");
    printOutputs(await stack.outputs());
  }
  console.log(`\nwhole command ${seconds(started)}; remove it with: npm run local -- down`);
}

async function preview(kubeconfig: string): Promise<void> {
  const ws = workspace(kubeconfig);
  for (const stack of [
    await ws.stack(),
    ...(await Promise.all(localApplicationStacks().map((s) => ws.appStack(s)))),
  ]) {
    const r = await stack.preview({ ...policyPackArgs("local"), onOutput: (o) => process.stdout.write(o) });
    console.log(`${stack.name}: ${JSON.stringify(r.changeSummary)}`);
  }
}

async function outputs(kubeconfig: string): Promise<void> {
  const ws = workspace(kubeconfig);
  for (const stack of [
    await ws.stack(),
    ...(await Promise.all(localApplicationStacks().map((s) => ws.appStack(s)))),
  ]) {
    console.log(`\n${stack.name}`);
    printOutputs(await stack.outputs());
  }
}

async function down(kubeconfig: string | undefined): Promise<void> {
  if (fs.existsSync(path.join(ENGINE_DIR, "Pulumi.local.yaml"))) {
    const cluster = kubeconfig ?? EMBEDDED_KUBECONFIG;
    if (kubeconfig || (controlPlanePid() && (await apiReady(cluster)))) {
      const ws = workspace(cluster);
      for (const name of localApplicationStacks()) {
        const r = await (await ws.appStack(name)).destroy({ onOutput: (o) => process.stdout.write(o) });
        console.log(`destroy ${name}: ${r.summary.result}`);
      }
      const r = await (await ws.stack()).destroy({ onOutput: (o) => process.stdout.write(o) });
      console.log(`destroy local: ${r.summary.result}`);
    } else console.log("control plane not running: its objects are gone with it");
  }
  fs.rmSync(ENGINE_DIR, { recursive: true, force: true });
  const pid = controlPlanePid();
  if (!kubeconfig && pid) {
    process.kill(pid, "SIGTERM");
    while (controlPlanePid()) await new Promise((resolve) => setTimeout(resolve, 200));
    console.log("control plane stopped");
  }
  if (!kubeconfig)
    for (const file of [CONTROL_PLANE_PID, CONTROL_PLANE_DIR, EMBEDDED_KUBECONFIG])
      fs.rmSync(file, { recursive: true, force: true });
}

async function release(argv: string[], kubeconfig: string | undefined): Promise<void> {
  const cluster = kubeconfig ?? EMBEDDED_KUBECONFIG;
  if (!fs.existsSync(path.join(ENGINE_DIR, "Pulumi.local.yaml")))
    throw new UserError("the local stack is not deployed: run npm run local -- up first");
  const ws = workspace(cluster);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require("../../src/release/cli") as typeof import("../../src/release/cli");
  const [command, ...flags] = argv;
  // On the embedded cluster no Pod serves: every Pod answers healthy for the gate, except those
  // running a digest listed in LOCAL_UNHEALTHY_DIGESTS (to see a failed release roll back).
  const unhealthy = new Set((process.env.LOCAL_UNHEALTHY_DIGESTS ?? "").split(",").filter(Boolean));
  if (!flags.includes("--stack"))
    throw new UserError(
      `release needs --stack <application stack>: one of ${localApplicationStacks().join(", ")}`,
    );
  await cli.main([command ?? "", ...flags], {
    pulumi: ws.apps,
    stackDir: ENGINE_DIR,
    appsDir: ws.appsDir,
    forwarder: kubeconfig
      ? undefined
      : new EndpointForwarder(KubeClient.fromKubeconfig(cluster), unhealthyDigests(unhealthy)),
  });
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: "string" },
      debug: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: false,
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const kubeconfig = typeof values.kubeconfig === "string" ? values.kubeconfig : undefined;
  if (command !== "release") {
    const unknown = argv.filter((a) => a.startsWith("-") && !/^--(kubeconfig|debug|help)$|^-h$/.test(a));
    if (unknown.length || rest.length)
      throw new UserError(`unexpected ${[...unknown, ...rest].join(" ")}; see npm run local -- --help`);
  }
  switch (command) {
    case "up":
      return up(kubeconfig);
    case "preview":
      return preview(kubeconfig ?? EMBEDDED_KUBECONFIG);
    case "outputs":
      return outputs(kubeconfig ?? EMBEDDED_KUBECONFIG);
    case "down":
      return down(kubeconfig);
    case "release":
      return release(
        argv
          .slice(argv.indexOf("release") + 1)
          .filter((a, i, all) => a !== "--debug" && all[i - 1] !== "--kubeconfig" && a !== "--kubeconfig"),
        kubeconfig,
      );
    default:
      throw new UserError(
        `unknown command ${JSON.stringify(command)}; allowed: up, preview, outputs, release, down`,
      );
  }
}

const debug = process.argv.includes("--debug");
main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UserError || !debug) console.error(err instanceof Error ? err.message : err);
  else console.error(err);
  process.exit(err instanceof UserError ? 2 : 1);
});
