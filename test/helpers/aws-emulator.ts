/**
 * moto's server mode (S3, KMS and STS in one process, from dev/tools/setup.sh) on loopback, behind
 * a recording proxy: every request the Pulumi CLI sends is kept (method, path, the headers that
 * decide the IAM action, and for KMS the key it used), so tests can turn them into IAM requests
 * and evaluate the program's role policies against exactly what the CLI did.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { ROOT } from "../../dev/paths";

const VENV = path.join(ROOT, ".tools", "venv", "bin");

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query, URL-decoded (`/bucket/.pulumi/meta.yaml`). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** `x-amz-target` (KMS operations), `x-amz-copy-source` (CopyObject). */
  readonly target?: string;
  readonly copySource?: string;
  /** KMS: the key id the operation used, from its response. */
  readonly keyId?: string;
  readonly status: number;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url: string, process: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (process.exitCode !== null) throw new Error(`moto_server exited with ${process.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`moto_server did not answer ${url} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class AwsEmulator {
  private readonly recorded: RecordedRequest[] = [];

  private constructor(
    private readonly moto: ChildProcess,
    /** moto itself: for setting the scene, never recorded. */
    readonly motoEndpoint: string,
    private readonly proxy: http.Server,
    /** The recording proxy: what the CLI under test talks to. */
    readonly endpoint: string,
  ) {}

  static async start(): Promise<AwsEmulator> {
    const port = await freePort();
    const moto = spawn(path.join(VENV, "moto_server"), ["-H", "127.0.0.1", "-p", String(port)], {
      stdio: "ignore",
    });
    const motoEndpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(`${motoEndpoint}/moto-api/`, moto, 30000);
    } catch (err) {
      moto.kill();
      throw err;
    }
    const started: { emulator?: AwsEmulator } = {};
    const proxy = http.createServer((req, res) => started.emulator!.forward(req, res));
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    started.emulator = new AwsEmulator(moto, motoEndpoint, proxy, endpoint);
    return started.emulator;
  }

  /** The requests recorded since the last call, which starts a new recording. */
  take(): RecordedRequest[] {
    return this.recorded.splice(0);
  }

  /** Runs boto3 against moto directly (scene setting, not recorded); prints what the code prints. */
  admin(python: string): string {
    return execFileSync(path.join(VENV, "python"), ["-c", `import boto3\n${python}`], {
      encoding: "utf8",
      env: { ...this.credentials(), AWS_ENDPOINT_URL: this.motoEndpoint, PATH: process.env.PATH ?? "" },
    }).trim();
  }

  /**
   * boto3 through the recording proxy: a request a workflow step would make. Asynchronous, so the
   * proxy in this process can answer it.
   */
  async asClient(python: string): Promise<string> {
    const child = spawn(path.join(VENV, "python"), ["-c", `import boto3\n${python}`], {
      env: { ...this.credentials(), AWS_ENDPOINT_URL: this.endpoint, PATH: process.env.PATH ?? "" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (status !== 0) throw new Error(`boto3 through the emulator failed (${status}): ${err}`);
    return out.trim();
  }

  /** Environment for an AWS SDK client (the Pulumi CLI) that should talk to the emulator. */
  credentials(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.proxy.close(resolve));
    this.moto.kill();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const upstream = http.request(
        `${this.motoEndpoint}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            const url = new URL(req.url ?? "/", this.endpoint);
            const target = header(req, "x-amz-target");
            let keyId: string | undefined;
            if (target?.startsWith("TrentService.")) {
              try {
                keyId = JSON.parse(Buffer.concat(body).toString("utf8")).KeyId;
              } catch {
                keyId = undefined;
              }
            }
            this.recorded.push({
              method: req.method ?? "GET",
              path: decodeURIComponent(url.pathname),
              query: url.searchParams,
              target,
              copySource: header(req, "x-amz-copy-source"),
              keyId,
              status: answer.statusCode ?? 0,
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      upstream.on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      upstream.end(Buffer.concat(chunks));
    });
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
