// The db-migrate action's rendered steps, run with bash and stand-ins for `aws` and `pg_dump` that
// record their calls: the database URL comes from Secrets Manager and is masked before anything
// uses it, the dump goes to the backup prefix under a key the run's summary names, and the
// service's commands run with the URL in their environment only.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { PGDG_KEY_FINGERPRINT } from "../../src/workflows/deploy";
import { contextFor } from "../helpers/context";

const SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/payments/db-url-AbCdEf";
const URL = "postgresql://app:s3cret@payments-db.internal:5432/payments";
const BACKUP = "s3://platform-state-111111111111-eu-west-1/state-backups/platform/dev/database";
const SHA = "0123456789abcdef0123456789abcdef01234567";

const action = YAML.parse(deliveryFiles(contextFor("dev"))[".github/actions/db-migrate/action.yml"]);
const step = (name: string) => action.runs.steps.find((s: { name: string }) => s.name === name);

/** Runs a step's script with its env resolved from `inputs`; `aws` answers `secretValue`. */
function run(name: string, inputs: Record<string, string>, secretValue = URL) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-migrate-"));
  try {
    const calls = path.join(dir, "calls");
    fs.writeFileSync(
      path.join(dir, "aws"),
      [
        "#!/usr/bin/env bash",
        `echo "aws $*" >> "${calls}"`,
        `if [ "$1" = secretsmanager ]; then printf '%s\\n' '${secretValue}'; fi`,
        `if [ "$1" = s3 ]; then cat > "${dir}/uploaded"; fi`,
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(dir, "pg_dump"),
      `#!/usr/bin/env bash\necho "pg_dump $*" >> "${calls}"\necho "DUMP OF $2"\n`,
      { mode: 0o755 },
    );
    const summary = path.join(dir, "summary");
    fs.writeFileSync(summary, "");
    const s = step(name);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.env as Record<string, string>))
      env[k] = v.replace(/\$\{\{ inputs\.([a-z-]+) \}\}/g, (_m, input: string) => inputs[input] ?? "");
    const workdir = path.join(dir, "services", "payments");
    fs.mkdirSync(workdir, { recursive: true });
    let stdout = "";
    let failed: string | undefined;
    try {
      stdout = execFileSync("bash", ["-c", s.run], {
        cwd: workdir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          HOME: dir,
          GITHUB_SHA: SHA,
          GITHUB_STEP_SUMMARY: summary,
          ...env,
        },
      }).toString();
    } catch (err) {
      const e = err as { stdout: Buffer };
      stdout = e.stdout.toString();
      failed = stdout;
    }
    return {
      stdout,
      failed,
      calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [],
      uploaded: fs.existsSync(path.join(dir, "uploaded"))
        ? fs.readFileSync(path.join(dir, "uploaded"), "utf8")
        : undefined,
      summary: fs.readFileSync(summary, "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const INPUTS = {
  "database-url-secret": SECRET,
  "backup-uri": BACKUP,
  "migrate-command": 'echo "migrating $DATABASE_URL"',
  "validate-command": 'test -n "$DATABASE_URL" && echo schema current',
  "working-directory": "services/payments",
};

describe("the db-migrate action", () => {
  it("backs up with pg_dump from the secret's URL to the backup prefix and names the dump on the summary", () => {
    const r = run("Back up", INPUTS);
    assert.equal(r.failed, undefined, r.stdout);
    const key = /^backup: (\S+)$/m.exec(r.stdout)?.[1] ?? "";
    assert.match(key, new RegExp(`^${BACKUP}/payments/\\d{8}T\\d{6}Z-${SHA}\\.dump$`));
    const [read, ...pipeline] = r.calls;
    assert.equal(
      read,
      `aws secretsmanager get-secret-value --secret-id ${SECRET} --query SecretString --output text`,
    );
    // pg_dump and the upload run as one pipeline, in either order.
    assert.deepEqual(pipeline.sort(), [
      `aws s3 cp - ${key} --only-show-errors`,
      `pg_dump --format=custom ${URL}`,
    ]);
    assert.equal(r.uploaded, `DUMP OF ${URL}\n`);
    assert.equal(r.summary, `Pre-migration backup of payments: ${key}\n`);
    assert.ok(r.stdout.startsWith(`::add-mask::${URL}\n`), "the URL is masked before anything prints it");
  });

  it("refuses a database that is not PostgreSQL before dumping anything", () => {
    const r = run("Back up", INPUTS, "mysql://app:pw@db:3306/app");
    assert.match(
      r.failed ?? "",
      /::error::the backup is pg_dump: the database URL must be postgres:\/\/ or postgresql:\/\//,
    );
    assert.ok(!r.calls.some((c) => c.startsWith("pg_dump")));
  });

  it("fails by name without a secret or a backup destination", () => {
    const r = run("Back up", { ...INPUTS, "backup-uri": "" });
    assert.match(r.failed ?? "", /::error::no database URL secret or backup destination/);
    assert.deepEqual(r.calls, []);
  });

  it("runs the service's commands in its directory with the URL from the secret", () => {
    const apply = run("Apply", INPUTS);
    assert.equal(apply.stdout, `::add-mask::${URL}\nmigrating ${URL}\n`);
    const validate = run("Validate", INPUTS);
    assert.equal(validate.stdout, `::add-mask::${URL}\nschema current\n`);
    assert.equal(step("Apply")["working-directory"], "${{ inputs.working-directory }}");
    const missing = run("Apply", { ...INPUTS, "migrate-command": "" });
    assert.match(missing.failed ?? "", /no migrate-command: set services\[\]\.migrations\.apply/);
  });
});

describe("the PostgreSQL client the db-migrate action installs where the runner lacks it", () => {
  const install = step("Install the PostgreSQL client (PGDG, over HTTPS)");
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(fs.readFileSync("/etc/os-release", "utf8"))![1];

  /**
   * Runs the step with stand-ins for curl, gpg and apt-get on a PATH of only the tools it needs
   * (no pg_dump unless `withPgDump`); `fingerprint` is what the downloaded key shows.
   */
  function installing(options: { fingerprint?: string; withPgDump?: boolean } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgdg-"));
    try {
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      for (const tool of ["bash", "awk", "cat", "id"])
        fs.symlinkSync(
          execFileSync("bash", ["-c", `command -v ${tool}`])
            .toString()
            .trim(),
          path.join(bin, tool),
        );
      const calls = path.join(dir, "calls");
      const standIn = (name: string, body: string) =>
        fs.writeFileSync(
          path.join(bin, name),
          `#!${path.join(bin, "bash")}\necho "${name} $*" >> "${calls}"\n${body}\n`,
          {
            mode: 0o755,
          },
        );
      standIn("curl", 'echo "-----BEGIN PGP PUBLIC KEY BLOCK-----"');
      standIn(
        "gpg",
        `if [ "$1" = --dearmor ]; then cat; else echo "pub:-:4096:1:7FCC7D46ACCC4CF8:"; echo "fpr:::::::::${options.fingerprint ?? PGDG_KEY_FINGERPRINT}:"; fi`,
      );
      standIn("apt-get", "");
      standIn("sudo", '"$@"');
      if (options.withPgDump) standIn("pg_dump", "");
      let failed: string | undefined;
      try {
        execFileSync(path.join(bin, "bash"), ["-c", install.run], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { PATH: bin, RUNNER_TEMP: dir, ...install.env },
        });
      } catch (err) {
        failed = (err as { stdout: Buffer }).stdout.toString();
      }
      return {
        failed,
        calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [],
        sources: fs.existsSync(path.join(dir, "pgdg.list"))
          ? fs.readFileSync(path.join(dir, "pgdg.list"), "utf8")
          : "",
        dir,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("installs nothing where pg_dump is on the PATH", () => {
    const r = installing({ withPgDump: true });
    assert.equal(r.failed, undefined);
    assert.deepEqual(r.calls, []);
  });

  it("fetches PGDG's key over HTTPS, checks its fingerprint and installs the client from PGDG alone, over HTTPS", () => {
    const r = installing();
    assert.equal(r.failed, undefined);
    // curl and gpg --dearmor run as one pipeline, in either order.
    assert.ok(
      r.calls.includes("curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc"),
      r.calls.join("\n"),
    );
    assert.match(
      r.sources,
      new RegExp(
        `^deb \\[signed-by=.*/pgdg\\.gpg\\] https://apt\\.postgresql\\.org/pub/repos/apt ${codename}-pgdg main$`,
        "m",
      ),
    );
    const apt = r.calls.filter((c) => c.includes("apt-get")).map((c) => c.replace(/^(sudo )?apt-get /, ""));
    // Only PGDG's list: Ubuntu's http mirrors (port 80, closed on the runner) are never read.
    for (const call of apt)
      assert.match(call, /-o Dir::Etc::sourcelist=\S+\/pgdg\.list -o Dir::Etc::sourceparts=- /);
    assert.match(apt[0], / update -qq$/);
    assert.match(apt[1], / install -y -qq --no-install-recommends postgresql-client-16$/);
  });

  it("refuses a key whose fingerprint is not PGDG's, before apt trusts it", () => {
    const r = installing({ fingerprint: "0000000000000000000000000000000000000000" });
    assert.match(r.failed ?? "", /::error::the PGDG key has fingerprint 0{40}, not B97B0AFC/);
    assert.deepEqual(
      r.calls.filter((c) => c.includes("apt-get")),
      [],
    );
  });
});
