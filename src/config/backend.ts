/**
 * Where a stack's state and secrets live when CI runs it. A person trying the program uses the
 * local file backend with a passphrase and sets none of this; a stack that GitHub deploys needs
 * shared, locked state: an S3 bucket made by `bootstrap/` or Pulumi Cloud.
 */
import { z } from "zod";

const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, "must be an AWS region, e.g. eu-west-1");
export const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "must be a KMS key ARN: arn:aws:kms:<region>:<account>:key/<uuid>",
  );

const s3Backend = z.strictObject({
  kind: z.literal("s3"),
  /** State bucket: the bootstrap stack's `stateBucket` output. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
  /** Region of the bucket: the bootstrap stack's `region` output. */
  region: awsRegion,
  /** Key the bucket encrypts objects with: the bootstrap stack's `stateKeyArn` output. */
  stateKeyArn: kmsKeyArn,
});

const cloudBackend = z.strictObject({
  kind: z.literal("cloud"),
  /** Pulumi Cloud API. @default "https://api.pulumi.com" */
  url: z
    .string()
    .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/, "must be an https:// URL of a Pulumi Cloud API")
    .default("https://api.pulumi.com"),
  /** Organization that owns the stacks; the OIDC exchange asks for a token of it. */
  organization: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a Pulumi organization name"),
  /** Token type the GitHub OIDC token is exchanged for. @default "organization" */
  tokenType: z.enum(["organization", "team", "personal"]).default("organization"),
  /** `team`: the team name; `personal`: the user login. Unused for `organization`. */
  scope: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a team name or user login")
    .optional(),
});

export const backendSchema = z.discriminatedUnion("kind", [s3Backend, cloudBackend]);

export const secretsSchema = z.discriminatedUnion("provider", [
  /** PULUMI_CONFIG_PASSPHRASE, kept as a GitHub secret. */
  z.strictObject({ provider: z.literal("passphrase") }),
  z.strictObject({
    provider: z.literal("awskms"),
    /** The bootstrap stack's `secretsKeyArn` output. */
    keyArn: kmsKeyArn,
  }),
  /** Pulumi Cloud's per-stack keys; needs `backend.kind: cloud`. */
  z.strictObject({ provider: z.literal("service") }),
]);

export type BackendConfig = z.output<typeof backendSchema>;
export type SecretsConfig = z.output<typeof secretsSchema>;

/** `s3://bucket?region=…` or the Pulumi Cloud URL: what `pulumi login` takes. */
export function backendUrl(backend: BackendConfig): string {
  return backend.kind === "s3" ? `s3://${backend.bucket}?region=${backend.region}` : backend.url;
}

/** The `--secrets-provider` value: `passphrase`, `default` or `awskms://<key-id>?region=<region>`. */
export function secretsProviderUrl(secrets: SecretsConfig): string {
  switch (secrets.provider) {
    case "passphrase":
      return "passphrase";
    case "service":
      return "default";
    case "awskms": {
      const [, , , region, , resource] = secrets.keyArn.split(":");
      return `awskms://${resource.slice("key/".length)}?region=${region}`;
    }
  }
}

/** Region and account of a key ARN. */
export function keyLocation(arn: string): { region: string; account: string } {
  const parts = arn.split(":");
  return { region: parts[3], account: parts[4] };
}
