import { asArray, parseJson, resourceRule, stackRule } from "../lib/rule";

const REPO = "aws:ecr/repository:Repository";

export const ecrRules = [
  resourceRule(
    {
      name: "ecr-repository-enable-scan-on-push",
      types: [REPO],
      anchors: ["CKV_AWS_163", "AVD-AWS-0030", "CP aws-ecr-repository-enable-image-scan"],
      summary: "ECR repositories scan images on push.",
      severity: "high",
      remediation: "Set imageScanningConfiguration.scanOnPush = true.",
      fix: {
        why: "Turning on basic scan-on-push is an in-place update that touches no image and no pull or push path.",
        apply: (p) =>
          p.imageScanningConfiguration?.scanOnPush === true
            ? undefined
            : { ...p, imageScanningConfiguration: { ...p.imageScanningConfiguration, scanOnPush: true } },
      },
    },
    (p) =>
      p.imageScanningConfiguration?.scanOnPush === true
        ? []
        : ["imageScanningConfiguration.scanOnPush is not true"],
  ),
  resourceRule(
    {
      name: "ecr-repository-disallow-mutable-tags",
      types: [REPO],
      anchors: ["CKV_AWS_51", "AVD-AWS-0031", "CP aws-ecr-repository-disallow-mutable-image"],
      summary: "ECR image tags are immutable, so a deployed tag always names the same image.",
      severity: "high",
      remediation:
        'Set imageTagMutability = "IMMUTABLE" (or IMMUTABLE_WITH_EXCLUSION with narrow exclusion filters).',
    },
    (p) =>
      ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"].includes(p.imageTagMutability)
        ? []
        : [`imageTagMutability is ${JSON.stringify(p.imageTagMutability ?? "MUTABLE")}`],
  ),
  resourceRule(
    {
      name: "ecr-repository-configure-kms-encryption",
      types: [REPO],
      anchors: ["CKV_AWS_136", "AVD-AWS-0033", "CP aws-ecr-repository-configure-customer-managed-key"],
      summary: "ECR repositories are encrypted with a customer-managed KMS key.",
      severity: "medium",
      remediation: 'Set encryptionConfigurations = [{ encryptionType: "KMS", kmsKey: <key ARN> }].',
    },
    (p) => {
      const enc = asArray(p.encryptionConfigurations)[0] as any;
      return enc?.encryptionType === "KMS" && enc?.kmsKey
        ? []
        : ["encryption is not KMS with a customer-managed key"];
    },
  ),
  resourceRule(
    {
      name: "ecr-repositorypolicy-disallow-public-access",
      types: ["aws:ecr/repositoryPolicy:RepositoryPolicy"],
      anchors: ["CKV_AWS_32", "AVD-AWS-0032"],
      summary: "ECR repository policies never grant access to every principal.",
      severity: "critical",
      remediation:
        'Name the accounts or roles that may pull (arn:aws:iam::<account>:root), never Principal "*".',
    },
    (p) => publicAllowStatements(parseJson(p.policy)).map((sid) => `statement ${sid} allows Principal "*"`),
  ),
  stackRule(
    {
      name: "ecr-repository-missing-lifecycle-policy",
      anchors: ["FSBP ECR.3"],
      summary: "Every ECR repository has a lifecycle policy, so old images expire.",
      severity: "medium",
      remediation: "Add an aws.ecr.LifecyclePolicy for the repository (expire untagged, keep the last N).",
    },
    (resources) => {
      const covered = new Set(
        resources
          .filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy")
          .map((r) => r.props.repository),
      );
      return resources
        .filter((r) => r.type === REPO && !covered.has(r.props.name))
        .map((r) => ({
          urn: r.urn,
          message: `repository ${r.props.name ?? r.name} has no lifecycle policy`,
        }));
    },
  ),
];

/** Sids (or indexes) of Allow statements whose principal is everyone, without a narrowing condition. */
export function publicAllowStatements(doc: any): string[] {
  return asArray(doc?.Statement)
    .map((s: any, i: number) => ({ s, id: s?.Sid ?? String(i) }))
    .filter(({ s }) => s?.Effect === "Allow" && isEveryone(s.Principal) && !s.Condition)
    .map(({ id }) => id);
}

export function isEveryone(principal: any): boolean {
  if (principal === "*") return true;
  if (principal && typeof principal === "object") return asArray(principal.AWS).includes("*");
  return false;
}
