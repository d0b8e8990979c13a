/**
 * Compliant and violating inputs of the rules that hold the pack level with zizmor, checkov and
 * kube-linter (availability.ts, waf.ts, workflow-supply-chain.ts, workflow-exposure.ts,
 * workflow-deploys.ts, kubernetes-objects.ts). Each violating input changes one thing of its
 * compliant one. Merged into FIXTURES (fixtures.ts).
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

const withStep = (step: unknown) => buildWith((wf) => wf.jobs.build.steps.push(step));
const withTrivyUses = (uses: string) => buildWith((wf) => (wf.jobs.build.steps[0].uses = uses));

/** A deploy job as deploy-service.yml has it: an environment, OIDC, and its own concurrency group. */
const deployWorkflow = {
  name: "deploy",
  on: { push: { branches: ["main"] } },
  permissions: {},
  jobs: {
    deploy: {
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 30,
      environment: "production",
      permissions: { contents: "read", "id-token": "write" },
      concurrency: { group: "deploy-production", "cancel-in-progress": false },
      steps: [{ run: "npm run deploy" }],
    },
  },
};
/** A publish job that publishes to npm through trusted publishing (OIDC). */
const publishWorkflow = {
  name: "publish",
  on: { release: { types: ["published"] } },
  permissions: {},
  jobs: {
    publish: {
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 10,
      permissions: { contents: "read", "id-token": "write" },
      steps: [
        { uses: `actions/checkout@${SHA}`, with: { "persist-credentials": false } },
        { run: "npm publish --provenance", env: { NPM_CONFIG_PROVENANCE: "true" } },
      ],
    },
  },
};
/** A dispatchable image build whose tag comes from the commit. */
const dispatchBuild = {
  name: "build",
  on: { workflow_dispatch: { inputs: { tag: { type: "string", required: true } } } },
  permissions: {},
  jobs: {
    build: {
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 30,
      permissions: { contents: "read", "id-token": "write" },
      steps: [
        {
          uses: `docker/build-push-action@${SHA}`,
          with: { context: ".", push: true, tags: "registry.example.com/app:${{ github.sha }}" },
        },
      ],
    },
  },
};
/** Two workflow files as the renderer writes them: SHA pins with their version as a YAML comment. */
const pinnedFile = (name: string, sha: string) => ({
  repository: "app",
  file: `.github/workflows/${name}`,
  content: [
    `name: ${name}`,
    "on: push",
    "permissions: {}",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-24.04",
    "    steps:",
    `      - uses: actions/checkout@${sha} # v4.2.2`,
    "",
  ].join("\n"),
});
const CHECKOUT_V4_2_2 = "a".repeat(40);

const job = {
  metadata: { name: "report", namespace: "web" },
  spec: {
    ttlSecondsAfterFinished: 86400,
    template: { metadata: { labels }, spec: { containers: [{ name: "report" }], restartPolicy: "Never" } },
  },
};
const allowPolicy = {
  metadata: { name: "web-allow", namespace: "web" },
  spec: {
    podSelector: { matchLabels: labels },
    policyTypes: ["Ingress"],
    ingress: [{ ports: [{ protocol: "TCP", port: 8080 }] }] as Record<string, unknown>[],
  },
};
const secret = { metadata: { name: "db", namespace: "web" }, type: "Opaque" };

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
  "github-workflow-disallow-typosquatted-actions": {
    type: FILE,
    good: wfFile(buildWorkflow),
    bad: withTrivyUses(`aquasecurlty/trivy-action@${SHA}`),
    expect:
      /jobs\.build\.steps\[0\]\.uses aquasecurlty\/trivy-action@3{40}: owner aquasecurlty is one edit away from aquasecurity/,
  },
  "github-workflow-disallow-archived-actions": {
    type: FILE,
    good: withStep({ uses: `ruby/setup-ruby@${SHA}`, with: { "ruby-version": "3.4" } }),
    bad: withStep({ uses: `actions/setup-ruby@${SHA}`, with: { "ruby-version": "3.4" } }),
    expect:
      /jobs\.build\.steps\[2\]\.uses actions\/setup-ruby is an archived repository: use ruby\/setup-ruby/,
  },
  "github-workflow-disallow-obfuscated-uses": {
    type: FILE,
    good: wfFile(buildWorkflow),
    // Ends in a SHA, so a check for `@<sha>$` takes it for a pin.
    bad: withTrivyUses(`aquasecurity/trivy-action@v0.36.0@${SHA}`),
    expect:
      /jobs\.build\.steps\[0\]\.uses aquasecurity\/trivy-action@v0\.36\.0@3{40} is obfuscated: the ref "v0\.36\.0@3{40}", which is not a plain commit SHA/,
  },
  "github-workflow-disallow-pin-version-mismatch": {
    stack: true,
    good: [
      { type: FILE, name: "ci", props: pinnedFile("ci.yml", CHECKOUT_V4_2_2) },
      { type: FILE, name: "build", props: pinnedFile("build.yml", CHECKOUT_V4_2_2) },
    ],
    bad: [
      { type: FILE, name: "ci", props: pinnedFile("ci.yml", CHECKOUT_V4_2_2) },
      { type: FILE, name: "build", props: pinnedFile("build.yml", "b".repeat(40)) },
    ],
    expect:
      /app\/\.github\/workflows\/build\.yml:8: actions\/checkout@b{40} says v4\.2\.2, but app\/\.github\/workflows\/ci\.yml:8 pins actions\/checkout v4\.2\.2 to a{40}/,
  },
  "github-workflow-require-pinned-npx": {
    type: FILE,
    good: withStep({ run: "npx --yes c8@10.1.3 npm test" }),
    bad: withStep({ run: "npx --yes c8 npm test" }),
    expect:
      /jobs\.build\.steps\[2\] runs npx c8 without an exact version: whatever the registry serves that day runs with the job's token/,
  },
  "github-workflow-disallow-runner-debug-logging": {
    type: FILE,
    good: buildWith((wf) => (wf.jobs.build.env = { ACTIONS_STEP_DEBUG: false })),
    bad: buildWith((wf) => (wf.jobs.build.env = { ACTIONS_STEP_DEBUG: true })),
    expect: /build\.yml: jobs\.build\.env\.ACTIONS_STEP_DEBUG is true: the run's log turns into a debug log/,
  },
  "github-workflow-prefer-npm-trusted-publishing": {
    type: FILE,
    good: wfFile(publishWorkflow),
    bad: wfFile(
      mutate(
        publishWorkflow,
        (wf) => (wf.jobs.publish.steps[1].env.NODE_AUTH_TOKEN = "${{ secrets.NPM_TOKEN }}"),
      ),
    ),
    expect:
      /jobs\.publish\.steps\[1\]\.env\.NODE_AUTH_TOKEN reads secrets\.NPM_TOKEN: a long-lived npm token where trusted publishing needs none/,
  },
  "github-workflow-disallow-workspace-artifacts": {
    type: FILE,
    good: withStep({ uses: `actions/upload-artifact@${SHA}`, with: { name: "reports", path: "reports/" } }),
    bad: withStep({ uses: `actions/upload-artifact@${SHA}`, with: { name: "reports", path: "." } }),
    expect: /jobs\.build\.steps\[2\] uploads the whole workspace \(path: \.\) as an artifact/,
  },
  "github-workflow-require-deploy-concurrency": {
    type: FILE,
    good: wfFile(deployWorkflow),
    bad: wfFile(mutate(deployWorkflow, (wf) => delete wf.jobs.deploy.concurrency)),
    expect:
      /jobs\.deploy deploys to production \(holding id-token: write\) with no concurrency group, neither its own nor the workflow's/,
  },
  "github-workflow-disallow-dispatch-inputs-in-builds": {
    type: FILE,
    good: wfFile(dispatchBuild),
    bad: wfFile(
      mutate(
        dispatchBuild,
        (wf) => (wf.jobs.build.steps[0].with.tags = "registry.example.com/app:${{ inputs.tag }}"),
      ),
    ),
    expect:
      /jobs\.build\.steps\[0\]\.with\.tags takes \$\{\{ inputs\.tag \}\}: whoever dispatches the run picks what the image is built from or published as/,
  },
  "kubernetes-workload-disallow-deprecated-service-account-field": {
    type: DEPLOYMENT,
    good: mutate(spreadDeployment, (d) => (d.spec.template.spec.serviceAccountName = "web")),
    bad: mutate(spreadDeployment, (d) => (d.spec.template.spec.serviceAccount = "web")),
    expect: /serviceAccount is "web": the deprecated alias of serviceAccountName/,
  },
  "kubernetes-job-require-ttl-after-finished": {
    type: "kubernetes:batch/v1:Job",
    good: job,
    bad: mutate(job, (j) => delete j.spec.ttlSecondsAfterFinished),
    expect: /spec\.ttlSecondsAfterFinished is unset: finished Jobs and their pods stay until deleted by hand/,
  },
  "kubernetes-networkpolicy-disallow-allow-all-ingress": {
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    // The program's own allow policy: any source, the service's port only.
    good: allowPolicy,
    bad: mutate(allowPolicy, (np) => delete np.spec.ingress[0].ports),
    expect: /spec\.ingress\[0\] has neither from nor ports: it admits every source on every port/,
  },
  "kubernetes-secret-disallow-literal-data": {
    type: "kubernetes:core/v1:Secret",
    good: secret,
    bad: { ...secret, stringData: { password: "hunter2" } },
    expect: /stringData holds password: values declared in the program/,
  },
};
