/**
 * Reaching an in-cluster Service from the runner: `kubectl port-forward` to a local port kubectl
 * chooses, read from the line it prints, with the kubeconfig in a private temporary directory.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** Service port. */
  readonly port: number;
}

export interface Forward {
  /** `http://127.0.0.1:<local port>` */
  readonly url: string;
  /** Stops forwarding and removes whatever was written for it. */
  close(): Promise<void>;
}

export interface PortForwarder {
  open(service: ServiceRef, kubeconfig: string): Promise<Forward>;
}

/** `http://<name>.<namespace>.svc[.cluster.local][:port]` → the Service it names; undefined for any other URL. */
export function inClusterService(url: string): ServiceRef | undefined {
  const m = /^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?\/?$/.exec(url);
  return m ? { name: m[1], namespace: m[2], port: m[3] ? Number(m[3]) : 80 } : undefined;
}

/** kubectl's line once it listens: `Forwarding from 127.0.0.1:40123 -> 8080`. */
const FORWARDING = /^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$/m;

export interface KubectlOptions {
  /** The executable. @default "kubectl" */
  readonly command?: string;
  /** How long kubectl may take to print its forwarding line, ms. @default 30000 */
  readonly readyTimeoutMs?: number;
  /** Environment of kubectl. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export class KubectlPortForwarder implements PortForwarder {
  constructor(private readonly options: KubectlOptions = {}) {}

  async open(service: ServiceRef, kubeconfig: string): Promise<Forward> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-kube-"));
    const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
    let child: ChildProcess | undefined;
    try {
      const file = path.join(dir, "kubeconfig");
      fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
      child = spawn(
        this.options.command ?? "kubectl",
        [
          "--kubeconfig",
          file,
          "--namespace",
          service.namespace,
          "port-forward",
          `svc/${service.name}`,
          `:${service.port}`,
          "--address",
          "127.0.0.1",
        ],
        { env: this.options.env, stdio: ["ignore", "pipe", "pipe"] },
      );
      const port = await localPort(child, this.options.readyTimeoutMs ?? 30_000);
      const running = child;
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          await stop(running);
          removeDir();
        },
      };
    } catch (err) {
      if (child) await stop(child);
      removeDir();
      throw err;
    }
  }
}

/** Reads the local port from kubectl's output, or fails at the deadline or when kubectl exits. */
function localPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off("data", onOut);
      child.off("exit", onExit);
      child.off("error", onError);
      fn();
    };
    const onOut = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = FORWARDING.exec(out);
      if (m) finish(() => resolve(Number(m[1])));
    };
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`kubectl port-forward exited ${code} before forwarding: ${err.trim()}`)));
    const onError = (e: Error) => finish(() => reject(e));
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              `kubectl port-forward printed no forwarding line within ${timeoutMs} ms: ${err.trim()}`,
            ),
          ),
        ),
      timeoutMs,
    );
    child.stdout?.on("data", onOut);
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.on("exit", onExit);
    child.on("error", onError);
  });
}

/** SIGTERM, and wait until the process is gone. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
