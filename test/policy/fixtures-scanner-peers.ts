/**
 * Compliant and violating inputs of the rules that hold the pack level with zizmor, checkov and
 * kube-linter (availability.ts, waf.ts, workflow-supply-chain.ts). Each violating input changes
 * one thing of its compliant one. Merged into FIXTURES (fixtures.ts).
 */
import YAML from "yaml";
import type { ResourceFixture, StackFixture } from "./fixtures";

const clone = <T>(v: T): T => structuredClone(v);
function mutate<T>(base: T, change: (v: any) => void): T {
  const v = clone(base);
  change(v);
  return v;
}

const DIGEST = "sha256:" + "c".repeat(64);
const SHA = "3".repeat(40);
const FILE = "github:index/repositoryFile:RepositoryFile";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const labels = { "app.kubernetes.io/name": "web", "platform.io/track": "main" };
const spread = ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
  maxSkew: 1,
  topologyKey,
  whenUnsatisfiable: "ScheduleAnyway",
  labelSelector: { matchLabels: labels },
}));
const spreadDeployment = {
  metadata: { name: "web-main", namespace: "web" },
  spec: {
    replicas: 3,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: "web" }], topologySpreadConstraints: spread },
    },
  },
};
const pdb = {
  metadata: { name: "web-main", namespace: "web" },
  spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: labels } },
};

/** A build job as build-image.yml has it: it may publish (id-token: write) and scans what it built. */
const buildWorkflow = {
  name: "build",
  on: { push: { branches: ["main"] } },
  permissions: {},
  jobs: {
    build: {
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 30,
      permissions: { contents: "read", "id-token": "write" },
      services: { db: { image: `postgres:16-alpine@${DIGEST}` } },
      steps: [
        { uses: `aquasecurity/trivy-action@${SHA}`, with: { "image-ref": "app", cache: false } },
        { uses: `docker://alpine:3.21@${DIGEST}` },
      ],
    },
  },
};
const wfFile = (wf: unknown) => ({
  repository: "app",
  file: ".github/workflows/build.yml",
  content: YAML.stringify(wf),
});
const buildWith = (change: (wf: any) => void) => wfFile(mutate(buildWorkflow, change));

const ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef";
const publicAlb = { loadBalancerType: "application", internal: false, arn: ALB_ARN };
const managedGroup = (name: string, priority: number) => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
  visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
});
const webAcl = {
  scope: "REGIONAL",
  defaultAction: { allow: {} },
  rules: [
    managedGroup("AWSManagedRulesAmazonIpReputationList", 0),
    managedGroup("AWSManagedRulesKnownBadInputsRuleSet", 1),
    managedGroup("AWSManagedRulesCommonRuleSet", 2),
  ],
  visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "web", sampledRequestsEnabled: true },
};
const publicIngress = {
  metadata: {
    name: "web",
    namespace: "web",
    annotations: {
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/wafv2-acl-arn":
        "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/abc",
    } as Record<string, string>,
  },
  spec: { ingressClassName: "alb" },
};

export const SCANNER_PEER_FIXTURES: Record<string, ResourceFixture | StackFixture> = {
  "kubernetes-pdb-allow-unhealthy-pod-eviction": {
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    good: pdb,
    bad: mutate(pdb, (p) => delete p.spec.unhealthyPodEvictionPolicy),
    expect: /unhealthyPodEvictionPolicy is unset \(IfHealthyBudget\), not AlwaysAllow/,
  },
  "kubernetes-workload-require-replica-spread": {
    stack: true,
    good: [
      { type: DEPLOYMENT, name: "web-main", props: spreadDeployment },
      // One replica needs no spread.
      {
        type: DEPLOYMENT,
        name: "job-runner",
        props: mutate(spreadDeployment, (d) => {
          d.metadata.name = "job-runner";
          d.spec.replicas = 1;
          delete d.spec.template.spec.topologySpreadConstraints;
        }),
      },
    ],
    bad: [
      // Replicas left to an autoscaler that may run up to 4.
      {
        type: DEPLOYMENT,
        name: "web-main",
        props: mutate(spreadDeployment, (d) => {
          delete d.spec.replicas;
          delete d.spec.template.spec.topologySpreadConstraints;
        }),
      },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "web-main",
        props: {
          metadata: { name: "web-main", namespace: "web" },
          spec: { scaleTargetRef: { kind: "Deployment", name: "web-main" }, minReplicas: 2, maxReplicas: 4 },
        },
      },
    ],
    expect: /web-main: up to 4 replicas with no topology spread or pod anti-affinity by node or zone/,
  },
  "lb-loadbalancer-require-waf": {
    stack: true,
    good: [
      { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", props: publicAlb },
      { type: "aws:wafv2/webAcl:WebAcl", name: "acl", props: webAcl },
      {
        type: "aws:wafv2/webAclAssociation:WebAclAssociation",
        name: "alb-waf",
        props: {
          resourceArn: ALB_ARN,
          webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y",
        },
        propDeps: { resourceArn: ["alb"], webAclArn: ["acl"] },
      },
      { type: "aws:lb/loadBalancer:LoadBalancer", name: "internal", props: { ...publicAlb, internal: true } },
      { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "web", props: publicIngress },
    ],
    bad: [
      { type: "aws:lb/loadBalancer:LoadBalancer", name: "alb", props: publicAlb },
      {
        type: "kubernetes:networking.k8s.io/v1:Ingress",
        name: "web",
        props: mutate(
          publicIngress,
          (i) => delete i.metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"],
        ),
      },
    ],
    expect:
      /alb: internet-facing ALB with no WAF web ACL associated\nweb: internet-facing ALB Ingress without the alb\.ingress\.kubernetes\.io\/wafv2-acl-arn annotation/,
  },
  "wafv2-webacl-require-managed-rule-groups": {
    type: "aws:wafv2/webAcl:WebAcl",
    good: webAcl,
    bad: mutate(webAcl, (w) => (w.rules[1].overrideAction = { count: {} })),
    expect: /managed rule group AWSManagedRulesKnownBadInputsRuleSet is not in the web ACL's rules/,
  },
  "github-workflow-require-pinned-images": {
    type: FILE,
    good: wfFile(buildWorkflow),
    bad: buildWith((wf) => (wf.jobs.build.services.db.image = "postgres:16-alpine")),
    expect: /build\.yml: jobs\.build\.services\.db pulls postgres:16-alpine without a digest/,
  },
  "github-workflow-disallow-scanner-cache-in-publishing-jobs": {
    type: FILE,
    good: wfFile(buildWorkflow),
    bad: buildWith((wf) => delete wf.jobs.build.steps[0].with.cache),
    expect: /jobs\.build\.steps\[0\] runs trivy-action with its cache on in a job that can publish/,
  },
};
