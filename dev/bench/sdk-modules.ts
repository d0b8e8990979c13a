/**
 * The Pulumi SDK modules the program imports (lib/aws.ts, lib/k8s.ts, @pulumi/github): the
 * benchmark's floor loads exactly these, and the benchmark fails if a stack evaluation ends up
 * with an SDK module the floor did not load (the floor would then flatter the program).
 */
export const SDK_MODULES = [
  "@pulumi/pulumi",
  "@pulumi/aws/appautoscaling",
  "@pulumi/aws/chatbot",
  "@pulumi/aws/cloudwatch",
  "@pulumi/aws/codebuild",
  "@pulumi/aws/ec2",
  "@pulumi/aws/ecr",
  "@pulumi/aws/ecs",
  "@pulumi/aws/eks",
  "@pulumi/aws/elb",
  "@pulumi/aws/getCallerIdentity",
  "@pulumi/aws/getPartition",
  "@pulumi/aws/getRegion",
  "@pulumi/aws/getAvailabilityZones",
  "@pulumi/aws/iam",
  "@pulumi/aws/kms",
  "@pulumi/aws/lb",
  "@pulumi/aws/provider",
  "@pulumi/aws/route53",
  "@pulumi/aws/s3",
  "@pulumi/aws/secretsmanager",
  "@pulumi/aws/sns",
  "@pulumi/aws/vpc",
  "@pulumi/aws/wafv2",
  "@pulumi/github",
  "@pulumi/kubernetes/apiextensions/customResource",
  "@pulumi/kubernetes/apps/v1",
  "@pulumi/kubernetes/autoscaling/v2",
  "@pulumi/kubernetes/core/v1",
  "@pulumi/kubernetes/helm/v4",
  "@pulumi/kubernetes/networking/v1",
  "@pulumi/kubernetes/policy/v1",
  "@pulumi/kubernetes/provider",
];

/**
 * `node_modules/@pulumi/aws/s3/bucket.js` → `@pulumi/aws/s3`: the SDK entry a loaded file belongs
 * to. A package root (`@pulumi/aws/index.js`) maps to the package name, which is how a root import
 * shows up. Shared internals (utilities, types, config) map to nothing.
 */
export function sdkModuleOf(file: string): string | undefined {
  const m = /node_modules\/(@pulumi\/(?:aws|kubernetes|github|pulumi))\/(.*)\.js$/.exec(file);
  if (!m) return undefined;
  const [, pkg, rest] = m;
  if (pkg === "@pulumi/pulumi" || pkg === "@pulumi/github") return pkg;
  const parts = rest.split("/");
  if (parts.length === 1) {
    if (parts[0] === "index") return pkg;
    return ["utilities", "package"].includes(parts[0]) ? undefined : `${pkg}/${parts[0]}`;
  }
  if (["types", "config"].includes(parts[0])) return undefined;
  // Kubernetes groups are versioned (core/v1); a group's own index loads every version.
  if (pkg === "@pulumi/kubernetes" && parts.length > 2) return `${pkg}/${parts[0]}/${parts[1]}`;
  return `${pkg}/${parts[0]}`;
}
