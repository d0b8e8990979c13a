/**
 * Turns the HTTP requests the Pulumi CLI sent to the AWS emulator into the IAM requests AWS would
 * authorise — the S3 action on the object or bucket, and the KMS calls S3 makes on the caller's
 * behalf for SSE-KMS objects — and evaluates them with the IAM simulator against a role's
 * identity policy and the resource's own policy (bucket policy, key policy), as AWS does.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { RecordedRequest } from "./aws-emulator";

export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
  /** What the CLI sent, for failure messages. */
  readonly sent: string;
}

export interface Scene {
  readonly bucket: string;
  readonly region: string;
  readonly account: string;
  /** The key the bucket encrypts with (S3 calls KMS with it for the caller). */
  readonly bucketKeyArn: string;
  /** The emulator's key ids → the key ARNs the stack is configured with. */
  readonly keys: Record<string, string>;
}

export function iamRequestsOf(recorded: readonly RecordedRequest[], scene: Scene): IamRequest[] {
  return recorded.flatMap((r) => iamRequestsOfOne(r, scene));
}

function iamRequestsOfOne(r: RecordedRequest, scene: Scene): IamRequest[] {
  const sent = `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ""}${r.target ? ` (${r.target})` : ""}`;
  const viaS3 = { "kms:ViaService": `s3.${scene.region}.amazonaws.com` };
  const object = (key: string) => `arn:aws:s3:::${scene.bucket}/${key}`;
  if (r.target?.startsWith("TrentService.")) {
    const uuid =
      String(r.keyId ?? "")
        .split("/")
        .pop() ?? "";
    const resource = scene.keys[uuid];
    if (!resource) throw new Error(`KMS call on a key the scene does not know (${r.keyId}): ${sent}`);
    return [{ action: `kms:${r.target.slice("TrentService.".length)}`, resource, context: {}, sent }];
  }
  const [, bucket, ...rest] = r.path.split("/");
  if (bucket !== scene.bucket) throw new Error(`a request outside the state bucket: ${sent}`);
  const key = rest.join("/");
  if (!key) {
    if (r.method === "GET" && r.query.get("list-type") === "2")
      return [
        {
          action: "s3:ListBucket",
          resource: `arn:aws:s3:::${scene.bucket}`,
          context: { "s3:prefix": r.query.get("prefix") ?? "" },
          sent,
        },
      ];
    throw new Error(`a bucket-level request the mapping does not know: ${sent}`);
  }
  const ok = r.status >= 200 && r.status < 300;
  switch (r.method) {
    case "HEAD":
      return [{ action: "s3:GetObject", resource: object(key), context: {}, sent }];
    case "GET":
      return [
        { action: "s3:GetObject", resource: object(key), context: {}, sent },
        // S3 decrypts an SSE-KMS object with the caller's permission on the key.
        ...(ok ? [{ action: "kms:Decrypt", resource: scene.bucketKeyArn, context: viaS3, sent }] : []),
      ];
    case "PUT": {
      const copied = r.copySource ? decodeURIComponent(r.copySource).replace(/^\/?[^/]+\//, "") : undefined;
      return [
        ...(copied
          ? [
              { action: "s3:GetObject", resource: object(copied), context: {}, sent },
              { action: "kms:Decrypt", resource: scene.bucketKeyArn, context: viaS3, sent },
            ]
          : []),
        { action: "s3:PutObject", resource: object(key), context: {}, sent },
        { action: "kms:GenerateDataKey", resource: scene.bucketKeyArn, context: viaS3, sent },
      ];
    }
    case "DELETE":
      return [{ action: "s3:DeleteObject", resource: object(key), context: {}, sent }];
    default:
      throw new Error(`an object request the mapping does not know: ${sent}`);
  }
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface Policies {
  /** The role's identity policy document. */
  readonly identity: object;
  /** Resource policies: the bucket policy, and key policies by key ARN. */
  readonly bucketPolicy?: object;
  readonly keyPolicies: Record<string, object>;
}

/** AWS's decision for one request by a role of `scene.account`. */
export async function decide(request: IamRequest, policies: Policies, scene: Scene): Promise<Decision> {
  const isKms = request.action.startsWith("kms:");
  const resourcePolicy = isKms ? policies.keyPolicies[request.resource] : policies.bucketPolicy;
  if (isKms && !resourcePolicy) throw new Error(`no key policy for ${request.resource}`);
  const result = await runSimulation(
    {
      identityPolicies: [{ name: "role", policy: policies.identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicy as any,
      request: {
        action: request.action,
        principal: `arn:aws:iam::${scene.account}:role/platform-ci/ci`,
        resource: { accountId: scene.account, resource: request.resource },
        contextVariables: {
          "aws:SecureTransport": "true",
          "aws:PrincipalAccount": scene.account,
          ...request.context,
        },
      },
    } as any,
    {},
  );
  if (result.resultType === "error")
    throw new Error(
      `the simulator refused ${request.action} ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  return result.overallResult as Decision;
}

/** Every request with its decision, in order. */
export async function decideAll(
  requests: readonly IamRequest[],
  policies: Policies,
  scene: Scene,
): Promise<{ request: IamRequest; decision: Decision }[]> {
  const out: { request: IamRequest; decision: Decision }[] = [];
  for (const request of requests) out.push({ request, decision: await decide(request, policies, scene) });
  return out;
}
