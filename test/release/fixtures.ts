/**
 * Real components for the release tests: an HTTP service on port 0, and a stand-in `kubectl` on
 * PATH that prints kubectl's forwarding line and really forwards TCP to that service. The Pulumi
 * project on the real CLI is in ./temp-project.ts.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export interface Service {
  readonly url: string;
  readonly port: number;
  /** Request paths in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on a free port; `status` decides each answer from its 0-based index. */
export async function healthService(status: (index: number, url: string) => number): Promise<Service> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const code = status(requests.length, req.url ?? "");
    requests.push(req.url ?? "");
    res.writeHead(code, { "content-type": "text/plain" }).end(String(code));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A `kubectl` that understands `--kubeconfig F --namespace N port-forward svc/S :P --address A`,
 * appends what it was called with (and the kubeconfig's mode and content) to $FAKE_KUBECTL_LOG,
 * listens on a free port, prints kubectl's line `Forwarding from 127.0.0.1:<port> -> P` and pipes
 * every connection to 127.0.0.1:$FAKE_KUBECTL_UPSTREAM until SIGTERM. FAKE_KUBECTL_MODE=fail exits
 * 1 with kubectl's error; =silent never prints the line.
 */
const FAKE_KUBECTL = `#!/usr/bin/env node
const fs = require("fs");
const net = require("net");
const args = process.argv.slice(2);
const at = (flag) => args[args.indexOf(flag) + 1];
const kubeconfig = at("--kubeconfig");
const target = args[args.indexOf("port-forward") + 1];
const ports = args[args.indexOf("port-forward") + 2];
fs.appendFileSync(process.env.FAKE_KUBECTL_LOG, JSON.stringify({
  args,
  pid: process.pid,
  kubeconfigMode: (fs.statSync(kubeconfig).mode & 0o777).toString(8),
  kubeconfig: fs.readFileSync(kubeconfig, "utf8"),
}) + "\\n");
if (process.env.FAKE_KUBECTL_MODE === "fail") {
  process.stderr.write('error: services "' + target.slice(4) + '" not found\\n');
  process.exit(1);
}
const server = net.createServer((client) => {
  const upstream = net.connect(Number(process.env.FAKE_KUBECTL_UPSTREAM), "127.0.0.1");
  client.pipe(upstream).pipe(client);
  upstream.on("error", () => client.destroy());
  client.on("error", () => upstream.destroy());
});
server.listen(0, "127.0.0.1", () => {
  if (process.env.FAKE_KUBECTL_MODE === "silent") return;
  const remote = ports.split(":")[1];
  process.stdout.write("Forwarding from 127.0.0.1:" + server.address().port + " -> " + remote + "\\n");
  process.stdout.write("Forwarding from [::1]:" + server.address().port + " -> " + remote + "\\n");
});
process.on("SIGTERM", () => process.exit(0));
`;

export interface FakeKubectl {
  /** Environment with the fake first on PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** Calls so far. */
  calls(): { args: string[]; pid: number; kubeconfigMode: string; kubeconfig: string }[];
  remove(): void;
}

export function fakeKubectl(
  upstreamPort: number,
  mode: "forward" | "fail" | "silent" = "forward",
): FakeKubectl {
  const dir = tempDir("fake-kubectl");
  const log = path.join(dir, "calls.jsonl");
  fs.writeFileSync(path.join(dir, "kubectl"), FAKE_KUBECTL, { mode: 0o755 });
  return {
    env: {
      ...process.env,
      PATH: `${dir}${path.delimiter}${process.env.PATH}`,
      FAKE_KUBECTL_LOG: log,
      FAKE_KUBECTL_UPSTREAM: String(upstreamPort),
      FAKE_KUBECTL_MODE: mode,
    },
    calls: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l))
        : [],
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A process still running? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
