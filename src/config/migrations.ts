/**
 * What a service with `migrations: true` needs from its stack before a deploy can run the
 * db-migrate action: its own apply and validate commands (the platform cannot guess a service's
 * migration tool), the database to migrate (secret config) and a place for the dump taken first
 * (the S3 state bucket's backup prefix).
 */
import { StackConfig } from "./schema";
import type { ConfigProblem } from "./rules";
import { keyOf } from "./rules";

export function migrationProblems(c: StackConfig): ConfigProblem[] {
  const unused = c.services.flatMap((s, i) =>
    !s.migrations && s.migrationCommands
      ? [
          {
            key: keyOf(["services", i, "migrations"]),
            value: s.migrations,
            allowed:
              "true, or remove migrationCommands: commands of a service that does not migrate never run",
          },
        ]
      : [],
  );
  const migrating = c.services.filter((s) => s.migrations).map((s) => s.name);
  if (migrating.length === 0 || !c.github) return unused;
  const out: ConfigProblem[] = [...unused];
  c.services.forEach((s, i) => {
    if (s.migrations && !s.migrationCommands)
      out.push({
        key: keyOf(["services", i, "migrationCommands"]),
        value: undefined,
        allowed: `required while migrations is true: { apply, validate }, the service's own commands, run in services/${s.name}/ (e.g. { apply: "alembic upgrade head", validate: "alembic check" })`,
      });
  });
  if (!c.databaseUrl)
    out.push({
      key: keyOf(["databaseUrl"]),
      value: undefined,
      allowed: `required while services run migrations (${migrating.join(", ")}): pulumi config set --secret databaseUrl <url>`,
    });
  if (c.github.backend && c.github.backend.kind !== "s3")
    out.push({
      key: keyOf(["github", "backend", "kind"]),
      value: c.github.backend.kind,
      allowed: `"s3" while services run migrations (${migrating.join(", ")}): the pre-migration dump is kept in the state bucket`,
    });
  return out;
}
