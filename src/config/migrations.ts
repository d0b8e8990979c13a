/**
 * What a service with `migrations` needs from its stack before a deploy can run the db-migrate
 * action: its database must be one of its declared dependencies (the path the runner gets too),
 * the runner must be inside the network, and the pre-migration dump needs the S3 state bucket's
 * backup prefix.
 */
import { isServiceDependency } from "./dependencies";
import { StackConfig } from "./schema";
import type { ConfigProblem } from "./problem";
import { keyOf } from "./problem";

export function migrationProblems(c: StackConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  c.services.forEach((s, i) => {
    if (!s.migrations) return;
    const databases = s.dependencies.flatMap((d) => (isServiceDependency(d) ? [] : [d.name]));
    if (!databases.includes(s.migrations.database))
      out.push({
        key: keyOf(["services", i, "migrations", "database"]),
        value: s.migrations.database,
        allowed: `the name of one of the service's database dependencies (${databases.join(", ") || "none: declare it in dependencies with cidr or securityGroupId and port"}); the deploy runner is given the same path`,
      });
  });
  // The runner gets one path per database name (migrationDatabases): two migrating services naming
  // different databases alike would leave one of them unreachable from the deploy job.
  const seen = new Map<string, { service: string; where: string }>();
  c.services.forEach((s, i) => {
    if (!s.migrations) return;
    const db = s.dependencies.find((d) => !isServiceDependency(d) && d.name === s.migrations!.database);
    if (!db || isServiceDependency(db)) return;
    const where = `${db.cidr ?? db.securityGroupId}:${db.port}`;
    const first = seen.get(db.name);
    if (!first) seen.set(db.name, { service: s.name, where });
    else if (first.where !== where)
      out.push({
        key: keyOf(["services", i, "migrations", "database"]),
        value: db.name,
        allowed: `a database name of its own: ${first.service} migrates a database named ${db.name} at ${first.where}, this one is at ${where}, and the deploy runner gets one path per name`,
      });
  });
  const migrating = c.services.filter((s) => s.migrations).map((s) => s.name);
  // The deploy job migrates from the stack's runner: a GitHub-hosted one is outside the network.
  if (
    migrating.length > 0 &&
    c.github &&
    c.usesAws &&
    (c.ci.runner?.kind ?? "github-hosted") === "github-hosted"
  )
    out.push({
      key: keyOf(["ci", "runner"]),
      value: c.ci.runner,
      allowed: `{ kind: "codebuild", … } (or a self-hosted runner that reaches the databases) while services run migrations (${migrating.join(", ")}): db-migrate connects to the database from the deploy job's runner`,
    });
  if (migrating.length > 0 && c.github?.backend && c.github.backend.kind !== "s3")
    out.push({
      key: keyOf(["github", "backend", "kind"]),
      value: c.github.backend.kind,
      allowed: `"s3" while services run migrations (${migrating.join(", ")}): the pre-migration dump is kept in the state bucket`,
    });
  return out;
}
