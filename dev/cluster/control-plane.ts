/**
 * A real Kubernetes control plane on loopback, from the binaries dev/tools/setup.sh builds: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, and kwok faking one node so Pods are
 * scheduled and become Ready without a container runtime. Certificates and the service-account
 * key are made at start (openssl) in a private directory; `stop()` ends every process and
 * removes it, and a process that dies early fails the start with its last words.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { TOOLS_BIN } from "../paths";
import { KubeClient } from "./client";

/** The fake node's name; kwok manages nodes carrying the annotation below. */
export const FAKE_NODE = "kwok-node-0";
const KWOK_ANNOTATION = "kwok.x-k8s.io/node";

export interface ControlPlane {
  readonly dir: string;
  /** Path of an admin kubeconfig (client certificate of system:masters). */
  readonly kubeconfig: string;
  readonly server: string;
  readonly client: KubeClient;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A CA, the API server's serving certificate, an admin client certificate, the SA key pair. */
function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const sign = (name: string, subject: string, extensions: string) => {
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subject,
    );
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    );
  };
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=platform-e2e-ca",
  );
  sign(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  sign("admin", "/O=system:masters/CN=platform-e2e-admin", "extendedKeyUsage=clientAuth\n");
  ssl("genrsa", "-out", "sa.key", "2048");
  ssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o600);
}

function writeKubeconfig(dir: string, server: string): string {
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString("base64");
  const file = path.join(dir, "kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "e2e", cluster: { server, "certificate-authority-data": b64("ca.crt") } }],
    users: [
      {
        name: "admin",
        user: { "client-certificate-data": b64("admin.crt"), "client-key-data": b64("admin.key") },
      },
    ],
    contexts: [{ name: "e2e", context: { cluster: "e2e", user: "admin" } }],
    "current-context": "e2e",
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

class Processes {
  private readonly running: { name: string; child: ChildProcess; log: string[] }[] = [];

  start(name: string, binary: string, args: string[]): void {
    const child = spawn(path.join(TOOLS_BIN, binary), args, { stdio: ["ignore", "pipe", "pipe"] });
    const log: string[] = [];
    const keep = (d: Buffer) => {
      log.push(...d.toString("utf8").split("\n").filter(Boolean));
      log.splice(0, Math.max(0, log.length - 40));
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.running.push({ name, child, log });
  }

  /** Throws, with its last log lines, if any process has exited. */
  check(): void {
    for (const p of this.running)
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        throw new Error(
          `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.log.slice(-15).join("\n")}`,
        );
  }

  async stopAll(): Promise<void> {
    for (const p of [...this.running].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const exited = new Promise((resolve) => p.child.once("exit", resolve));
      p.child.kill("SIGTERM");
      const timer = setTimeout(() => p.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Polls `ready` until it resolves true, failing when a process dies or the deadline passes. */
async function until(
  what: string,
  procs: Processes,
  deadlineMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    procs.check();
    try {
      if (await ready()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${what} not ready within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Starts the control plane and one Ready fake node; stops everything if any step fails. */
export async function startControlPlane(options: { dir?: string } = {}): Promise<ControlPlane> {
  for (const b of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"])
    if (!fs.existsSync(path.join(TOOLS_BIN, b)))
      throw new Error(`no ${b} in .tools/bin: run npm run setup:tools first`);
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "control-plane-"));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const procs = new Processes();
  const stop = async () => {
    await procs.stopAll();
    if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    makePki(dir);
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = `http://127.0.0.1:${etcdPort}`;
    procs.start("etcd", "etcd", [
      "--name=e2e",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcd}`,
      `--advertise-client-urls=${etcd}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await until("etcd", procs, 30000, async () => (await fetch(`${etcd}/health`)).ok);

    const f = (name: string) => path.join(dir, name);
    procs.start("kube-apiserver", "kube-apiserver", [
      `--etcd-servers=${etcd}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${f("apiserver.crt")}`,
      `--tls-private-key-file=${f("apiserver.key")}`,
      `--client-ca-file=${f("ca.crt")}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${f("sa.pub")}`,
      `--service-account-signing-key-file=${f("sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=Node,RBAC",
      "--allow-privileged=false",
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = writeKubeconfig(dir, server);
    const client = KubeClient.fromKubeconfig(kubeconfig);
    await until(
      "kube-apiserver",
      procs,
      60000,
      async () => (await client.raw("GET", "/readyz")).status === 200,
    );

    procs.start("kube-controller-manager", "kube-controller-manager", [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--secure-port=0",
      `--service-account-private-key-file=${f("sa.key")}`,
      `--root-ca-file=${f("ca.crt")}`,
      "--controllers=*",
    ]);
    procs.start("kube-scheduler", "kube-scheduler", [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--secure-port=0",
    ]);
    procs.start("kwok", "kwok", [
      `--kubeconfig=${kubeconfig}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
      // Without a lease the node turns Unknown after ~40 s and every Pod NotReady.
      "--node-lease-duration-seconds=40",
      "--cidr=10.244.0.0/16",
      "--node-ip=10.244.0.1",
    ]);
    await client.apply({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: FAKE_NODE,
        annotations: { [KWOK_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: {
          "kubernetes.io/hostname": FAKE_NODE,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
        },
      },
      status: {
        allocatable: { cpu: "64", memory: "256Gi", pods: "250" },
        capacity: { cpu: "64", memory: "256Gi", pods: "250" },
      },
    });
    await until("the fake node", procs, 60000, async () => {
      const node = await client.get("/api/v1/nodes/" + FAKE_NODE);
      return node.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ?? false;
    });
    // The service account token controller and the default namespace's account come last.
    await until(
      "the default service account",
      procs,
      60000,
      async () =>
        (await client.raw("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    );
    return { dir, kubeconfig, server, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
