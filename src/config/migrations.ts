/**
 * What a service with `migrations: true` needs from its stack before a deploy can run the
 * db-migrate action: the database to migrate (secret config) and a place for the dump taken
 * first (the S3 state bucket's backup prefix).
 */
import { StackConfig } from "./schema";
import type { ConfigProblem } from "./rules";
import { keyOf } from "./rules";

export function migrationProblems(c: StackConfig): ConfigProblem[] {
  const migrating = c.services.filter((s) => s.migrations).map((s) => s.name);
  if (migrating.length === 0 || !c.github) return [];
  const out: ConfigProblem[] = [];
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
