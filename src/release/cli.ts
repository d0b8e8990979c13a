// Release commands the generated workflows run (deploy-service.yml, infra-up.yml):
//   restore  --stack S                       carry running digests/colours forward from the stack's outputs
//   promote  --stack S --service X --source-image R --source-ref REF   copy the image into S's registry; prints digest=…
//   deploy   --stack S --service X --digest D --record FILE            run the strategy's plan (pulumi up per step)
//   rollback --stack S --service X --record FILE                       re-apply the recorded last good release
import { execFileSync } from "child_process";
import * as fs from "fs";
import { ReleaseConfig, StackConfig, stackConfigFromFile } from "../config";
import { planRelease, planRollback, ReleasePins, ReleaseStep } from "./plan";
import { parseFlags } from "../../dev/scripts/args";

const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, {
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "inherit" : "pipe", "pipe", "inherit"],
  }).trim();
const pulumi = (args: string[]) => run("pulumi", args);

function outputsOf(stack: string): Record<string, any> {
  try {
    return JSON.parse(pulumi(["stack", "output", "--stack", stack, "--json"]));
  } catch {
    return {}; // a stack never deployed has no outputs yet
  }
}

function setPins(stack: string, service: string, pins: Partial<ReleasePins>): void {
  for (const [key, value] of Object.entries(pins)) {
    if (value === undefined) continue;
    pulumi(["config", "set", "--stack", stack, "--path", `releases.${service}.${key}`, String(value)]);
  }
}

function apply(stack: string, service: string, step: ReleaseStep & { kind: "apply" }): void {
  console.error(`• ${step.why}`);
  setPins(stack, service, step.pins);
  pulumi([
    "up",
    "--yes",
    "--stack",
    stack,
    "--policy-pack",
    "policy",
    "--policy-pack-config",
    `policy/config/${stack}.json`,
    "--non-interactive",
  ]);
}

async function gate(
  stack: string,
  service: string,
  config: StackConfig,
  target: "service" | "preview",
  why: string,
): Promise<void> {
  console.error(`• ${why}`);
  const outputs = outputsOf(stack);
  const svc = config.services.find((s) => s.name === service)!;
  let url = (target === "preview" ? outputs.previewUrls : outputs.serviceUrls)?.[service] as
    | string
    | undefined;
  let forward: ReturnType<typeof import("child_process").spawn> | undefined;
  if (url && svc.target === "eks") {
    // In-cluster URL: reach it through a port-forward to the Service.
    const m = /^http:\/\/([^.]+)\.([^.]+)\.svc[^:/]*(?::(\d+))?/.exec(url)!;
    fs.writeFileSync(
      "kubeconfig.json",
      String(
        JSON.parse(pulumi(["stack", "output", "--stack", stack, "kubeconfig", "--show-secrets", "--json"])),
      ),
    );
    forward = (await import("child_process")).spawn(
      "kubectl",
      ["--kubeconfig", "kubeconfig.json", "-n", m[2], "port-forward", `svc/${m[1]}`, `18080:${m[3] ?? 80}`],
      { stdio: "ignore" },
    );
    await new Promise((r) => setTimeout(r, 3000));
    url = "http://127.0.0.1:18080";
  }
  if (!url) throw new Error(`stack ${stack} has no ${target} URL for ${service}`);
  try {
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}${svc.healthPath}`);
      if (!res.ok) throw new Error(`${target} ${url}${svc.healthPath} answered ${res.status}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    forward?.kill();
    fs.rmSync("kubeconfig.json", { force: true });
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const f = parseFlags(rest, {
    stack: "stack",
    service: "service",
    digest: "sha256 digest",
    record: "file",
    "source-image": "repository",
    "source-ref": "digest or tag",
  });
  const stack = f.stack;
  if (!stack) throw new Error("--stack is required");
  const config = stackConfigFromFile(stack);
  const service = f.service;
  const current = (): ReleasePins => {
    const out = outputsOf(stack);
    const base: ReleaseConfig = config.releases[service!];
    return {
      ...base,
      digest: out.releaseDigests?.[service!] ?? base.digest,
      activeColor: out.activeColors?.[service!] ?? base.activeColor,
    };
  };

  switch (command) {
    case "restore": {
      const out = outputsOf(stack);
      for (const s of config.services) {
        const pins: Partial<ReleasePins> = {
          digest: out.releaseDigests?.[s.name],
          activeColor: out.activeColors?.[s.name],
        };
        setPins(stack, s.name, pins);
      }
      return;
    }
    case "promote": {
      const target = JSON.parse(pulumi(["stack", "output", "--stack", stack, "registryUrls", "--json"]))[
        service!
      ];
      const source = f["source-image"]!;
      const ref = f["source-ref"]!;
      const from = ref.startsWith("sha256:") ? `${source}@${ref}` : `${source}:${ref}`;
      for (const host of new Set([source.split("/")[0], target.split("/")[0]]).values()) {
        if (!host.includes(".dkr.ecr.")) continue;
        run(
          "docker",
          ["login", "--username", "AWS", "--password-stdin", host],
          run("aws", ["ecr", "get-login-password"]),
        );
      }
      const digest = JSON.parse(
        run("docker", ["buildx", "imagetools", "inspect", from, "--format", "{{json .Manifest}}"]),
      ).digest;
      if (target !== source)
        run("docker", [
          "buildx",
          "imagetools",
          "create",
          "--tag",
          `${target}:${ref.startsWith("sha256:") ? `sha-${process.env.GITHUB_SHA}` : ref}`,
          `${source}@${digest}`,
        ]);
      console.log(`digest=${digest}`);
      return;
    }
    case "deploy": {
      const svc = config.services.find((s) => s.name === service);
      if (!svc || !f.digest || !f.record)
        throw new Error("deploy needs --service (a configured service), --digest and --record");
      const before = current();
      fs.writeFileSync(f.record, JSON.stringify(before));
      for (const step of planRelease(svc.strategy, before, f.digest)) {
        if (step.kind === "apply") apply(stack, svc.name, step);
        else await gate(stack, svc.name, config, step.target, step.why);
      }
      return;
    }
    case "rollback": {
      if (!service || !f.record || !fs.existsSync(f.record))
        throw new Error("rollback needs --service and the --record written by deploy");
      for (const step of planRollback(JSON.parse(fs.readFileSync(f.record, "utf8"))))
        if (step.kind === "apply") apply(stack, service, step);
      return;
    }
    default:
      throw new Error(
        `unknown command ${JSON.stringify(command)}; allowed: restore, promote, deploy, rollback`,
      );
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
