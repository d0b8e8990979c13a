import { PolicyResource } from "@pulumi/policy";
import { asArray, parseJson, resourceRule, stackRule } from "../lib/rule";
import { publicAllowStatements } from "./ecr";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
const ACL = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** Buckets lacking a sidecar of `types` (joined by the sidecar's `bucket` and its dependency edge) and the inline twin. */
function bucketsWithout(
  resources: PolicyResource[],
  types: string[],
  sidecarOk: (p: any) => boolean,
  inlineOk: (p: any) => boolean,
): PolicyResource[] {
  const sidecars = resources.filter((r) => types.includes(r.type) && sidecarOk(r.props));
  const covered = new Set<string>([...sidecars.flatMap((s) => s.dependencies.map((d) => d.urn))]);
  const coveredNames = new Set(sidecars.map((s) => String(s.props.bucket)));
  return resources.filter(
    (r) =>
      BUCKETS.includes(r.type) &&
      !inlineOk(r.props) &&
      !covered.has(r.urn) &&
      !coveredNames.has(String(r.props.bucket ?? r.props.id ?? "")),
  );
}

/** URNs the named input of `r` was computed from (its property dependencies). */
function inputSources(r: PolicyResource, property: string): string[] {
  return (r.propertyDependencies?.[property] ?? []).map((d) => d.urn);
}

export const s3Rules = [
  resourceRule(
    {
      name: "s3-bucket-block-public-access",
      types: [PAB],
      anchors: [
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "AVD-AWS-0086",
        "AVD-AWS-0087",
        "AVD-AWS-0091",
        "AVD-AWS-0093",
      ],
      summary: "Public access blocks turn on all four flags.",
      severity: "critical",
      remediation:
        "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
    },
    (p) =>
      ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
        .filter((k) => p[k] !== true)
        .map((k) => `${k} is not true`),
  ),
  stackRule(
    {
      name: "s3-bucket-missing-public-access-block",
      anchors: ["CKV2_AWS_6", "AVD-AWS-0094"],
      summary: "Every bucket has a public access block.",
      severity: "high",
      remediation: "Add an aws.s3.BucketPublicAccessBlock for the bucket with all four flags on.",
    },
    (resources) =>
      bucketsWithout(
        resources,
        [PAB],
        () => true,
        () => false,
      ).map((b) => ({ urn: b.urn, message: `bucket ${b.name} has no public access block` })),
  ),
  stackRule(
    {
      name: "s3-bucket-missing-encryption",
      anchors: [
        "CKV_AWS_19",
        "CKV_AWS_145",
        "AVD-AWS-0088",
        "AVD-AWS-0132",
        "CP aws-s3-bucket-enable-server-side-encryption",
      ],
      summary:
        "Every bucket encrypts objects by default (SSE-KMS preferred; SSE-S3 where a service requires it, e.g. ALB logs).",
      severity: "high",
      remediation:
        'Add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" (or AES256 for ALB log buckets).',
    },
    (resources) =>
      bucketsWithout(
        resources,
        SSE,
        (p) =>
          asArray(p.rules).some((r: any) =>
            SSE_ALGORITHMS.includes(r?.applyServerSideEncryptionByDefault?.sseAlgorithm),
          ),
        (p) =>
          asArray(
            p.serverSideEncryptionConfiguration?.rule
              ? [p.serverSideEncryptionConfiguration.rule]
              : p.serverSideEncryptionConfiguration?.rules,
          ).some((r: any) => SSE_ALGORITHMS.includes(r?.applyServerSideEncryptionByDefault?.sseAlgorithm)),
      ).map((b) => ({ urn: b.urn, message: `bucket ${b.name} has no default encryption` })),
  ),
  stackRule(
    {
      name: "s3-bucket-missing-versioning",
      anchors: ["CKV_AWS_21", "AVD-AWS-0090"],
      summary: "Every bucket keeps object versions (a must for state).",
      severity: "medium",
      remediation: 'Add a BucketVersioning with versioningConfiguration.status = "Enabled".',
    },
    (resources) =>
      bucketsWithout(
        resources,
        VERSIONING,
        (p) => p.versioningConfiguration?.status === "Enabled",
        (p) => p.versioning?.enabled === true,
      ).map((b) => ({
        urn: b.urn,
        message: `bucket ${b.name} does not version objects`,
      })),
  ),
  resourceRule(
    {
      name: "s3-bucket-disallow-public-acl",
      types: [...BUCKETS, ...ACL],
      anchors: ["CKV_AWS_20", "CKV_AWS_57", "AVD-AWS-0092", "CP aws-s3-bucket-disallow-public-read"],
      summary: "Buckets never carry a public canned ACL.",
      severity: "critical",
      remediation: "Remove the ACL and set object ownership to BucketOwnerEnforced.",
    },
    (p) => (PUBLIC_ACLS.includes(p.acl) ? [`acl is ${p.acl}`] : []),
  ),
  resourceRule(
    {
      name: "s3-bucket-enforce-owner-ownership",
      types: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
      anchors: ["CKV2_AWS_65"],
      summary: "ACLs are disabled: object ownership is BucketOwnerEnforced.",
      severity: "medium",
      remediation: 'Set rule.objectOwnership = "BucketOwnerEnforced".',
    },
    (p) =>
      p.rule?.objectOwnership === "BucketOwnerEnforced"
        ? []
        : [`objectOwnership is ${p.rule?.objectOwnership ?? "unset"}`],
  ),
  resourceRule(
    {
      name: "s3-bucketpolicy-disallow-public-principal",
      types: ["aws:s3/bucketPolicy:BucketPolicy"],
      anchors: ["CKV_AWS_70", "CKV2_AWS_43"],
      summary: 'Bucket policies allow no "*" principal without a narrowing condition.',
      severity: "critical",
      remediation: "Name the principals (services with aws:SourceAccount, roles) that need access.",
    },
    (p) => publicAllowStatements(parseJson(p.policy)).map((sid) => `statement ${sid} allows Principal "*"`),
  ),
  resourceRule(
    {
      name: "s3-bucketpolicy-require-tls",
      types: ["aws:s3/bucketPolicy:BucketPolicy"],
      anchors: ["FSBP S3.5"],
      summary: "Bucket policies deny requests without TLS (aws:SecureTransport = false).",
      severity: "medium",
      remediation:
        'Add a Deny statement for all principals and s3:* with Condition { Bool: { "aws:SecureTransport": "false" } }.',
    },
    (p) =>
      asArray(parseJson(p.policy)?.Statement).some(
        (s: any) => s?.Effect === "Deny" && String(s?.Condition?.Bool?.["aws:SecureTransport"]) === "false",
      )
        ? []
        : ["no statement denies insecure transport"],
  ),
  stackRule(
    {
      name: "s3-bucket-missing-access-logging",
      anchors: ["CKV_AWS_18", "AVD-AWS-0089", "AG s3-bucket-logging-enabled"],
      summary:
        "Every bucket that holds data logs its access to another bucket; buckets that receive logs (S3 server access logs, ALB access logs) are exempt.",
      severity: "medium",
      remediation:
        "Add an aws.s3.BucketLogging for the bucket with a targetBucket that uses SSE-S3 and a bucket policy admitting logging.s3.amazonaws.com.",
    },
    (resources) => {
      const loggings = resources.filter(
        (r) =>
          r.type === "aws:s3/bucketLogging:BucketLogging" ||
          r.type === "aws:s3/bucketLoggingV2:BucketLoggingV2",
      );
      const logged = new Set(loggings.flatMap((l) => inputSources(l, "bucket")));
      const loggedNames = new Set(loggings.map((l) => String(l.props.bucket)));
      const sinks = new Set([
        ...loggings.flatMap((l) => inputSources(l, "targetBucket")),
        ...resources
          .filter(
            (r) =>
              r.type === "aws:lb/loadBalancer:LoadBalancer" || r.type === "aws:alb/loadBalancer:LoadBalancer",
          )
          .flatMap((lb) => inputSources(lb, "accessLogs")),
      ]);
      return resources
        .filter(
          (r) =>
            BUCKETS.includes(r.type) &&
            !logged.has(r.urn) &&
            !sinks.has(r.urn) &&
            !loggedNames.has(String(r.props.bucket ?? "")),
        )
        .map((b) => ({ urn: b.urn, message: `bucket ${b.name} does not log access` }));
    },
  ),
];
