// A local Kubernetes control plane for the local stack and the end-to-end tests:
//   npm run cluster            starts it, writes .local/kubeconfig, runs until Ctrl-C, then stops all
//   npm run cluster -- --dir D keeps certificates, etcd data and the kubeconfig in D instead
// Any kubeconfig works instead (kind, minikube): point platform:kubernetes.kubeconfig at it.
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, runCommand } from "../../src/lib/cli";
import { startControlPlane } from "../cluster/control-plane";
import { ROOT } from "../paths";

const SPEC: CommandSpec = {
  usage: "npm run cluster --",
  summary:
    "Starts a local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok), writes .local/kubeconfig and runs until Ctrl-C.",
  flags: {
    dir: {
      type: "string",
      value: "DIR",
      description: "keep certificates, etcd data and the kubeconfig here (default .local/control-plane)",
    },
  },
};

async function main(values: { dir?: string }): Promise<void> {
  const started = Date.now();
  const dir = path.resolve(values.dir ?? path.join(ROOT, ".local", "control-plane"));
  fs.rmSync(dir, { recursive: true, force: true });
  const cp = await startControlPlane({ dir });
  const kubeconfig = path.join(ROOT, ".local", "kubeconfig");
  fs.copyFileSync(cp.kubeconfig, kubeconfig);
  fs.chmodSync(kubeconfig, 0o600);
  console.log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cp.server}`);
  console.log(`kubeconfig: ${path.relative(process.cwd(), kubeconfig)} (Ctrl-C stops everything)`);
  const stop = async () => {
    await cp.stop();
    console.log("control plane stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

void runCommand(SPEC, ({ flags }) => main(flags as { dir?: string }));
