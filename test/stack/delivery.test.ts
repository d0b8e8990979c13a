import { strict as assert } from "assert";
import { Evaluation, RecordedResource } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { readStackConfig } from "../../src/config/stack-files";
import { githubProviderArgs } from "../../src/stack/delivery";
import { committedStack } from "../helpers/stacks";

/** What makes a GitHub object the same object in the API, whichever stack declares it. */
function identity(r: RecordedResource): string {
  const i = r.inputs;
  const parts = [
    i.repository ?? i.name ?? i.repositoryId ?? i.baseRepository,
    i.environment,
    i.variableName,
    i.secretName,
    i.file,
    i.branch,
    i.pattern,
    i.headRef,
  ];
  return `${r.type} ${parts.filter((p) => p !== undefined).join("/")}`;
}
const githubResources = (e: Evaluation) =>
  e.resources.filter((r) => r.custom && r.type.startsWith("github:index/"));
const REPO_LEVEL = [
  "repository:Repository",
  "branchProtection:BranchProtection",
  "repositoryFile:RepositoryFile",
  "actionsRepositoryPermissions:ActionsRepositoryPermissions",
  "workflowRepositoryPermissions:WorkflowRepositoryPermissions",
];

describe("delivery layer under mocks", function () {
  this.timeout(60000);
  const evaluations: Record<string, Evaluation> = {};
  before(async () => {
    for (const stack of ["dev", "staging", "production"]) evaluations[stack] = await committedStack(stack);
  });

  it("never lets two stacks manage the same GitHub object", () => {
    const owners = new Map<string, string>();
    const clashes: string[] = [];
    for (const [stack, e] of Object.entries(evaluations)) {
      for (const r of githubResources(e)) {
        const id = identity(r);
        if (owners.has(id)) clashes.push(`${id}: ${owners.get(id)} and ${stack}`);
        owners.set(id, stack);
      }
    }
    assert.deepEqual(clashes, []);
  });

  it("gives the repository-level objects to the one stack that owns the repository", () => {
    const repoLevel = (e: Evaluation) =>
      githubResources(e).filter((r) => REPO_LEVEL.some((t) => r.type.endsWith(t)));
    const files = repoLevel(evaluations.dev).filter((r) => r.type.endsWith("repositoryFile:RepositoryFile"));
    assert.equal(files.length, 14);
    const codeOwners = files.find((f) => f.inputs.file === ".github/CODEOWNERS");
    assert.match(String(codeOwners?.inputs.content), /^\/src\/ @acme-shop\/platform-leads$/m);
    assert.deepEqual(repoLevel(evaluations.staging), []);
    assert.deepEqual(repoLevel(evaluations.production), []);
  });

  it("protects develop and main with the generated checks, code-owner reviews and admins bound", () => {
    const protections = evaluations.dev.ofType("github:index/branchProtection:BranchProtection");
    assert.deepEqual(
      protections.map((p) => p.inputs.pattern),
      ["develop", "main"],
    );
    const main = protections[1].inputs;
    assert.equal(main.enforceAdmins, true);
    // ci.yml's summary job stands for every job of ci.yml, the services' own included.
    assert.deepEqual(main.requiredStatusChecks[0].contexts, [
      "ci-passed",
      "trivy-fs",
      "secret-scan",
      "dependency-audit",
    ]);
    assert.deepEqual(main.requiredPullRequestReviews[0], {
      requiredApprovingReviewCount: 1,
      dismissStaleReviews: true,
      requireCodeOwnerReviews: true,
      requireLastPushApproval: true,
    });
  });

  it("gates production on resolved reviewer ids, blocks self-review and admin bypass, and deploys it only from release tags", () => {
    const env = evaluations.production.get(
      "github:index/repositoryEnvironment:RepositoryEnvironment",
      "production-environment",
    ).inputs;
    assert.deepEqual(env.reviewers, [
      { users: [1000 + "release-captain".length], teams: [2000 + "platform-leads".length] },
    ]);
    assert.equal(env.preventSelfReview, true);
    assert.equal(env.canAdminsBypass, false);
    assert.equal(env.waitTimer, 10);
    const policy = (stack: string, env: string) =>
      evaluations[stack].get(
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        `${env}-deployment-policy`,
      ).inputs;
    assert.equal(policy("production", "production").tagPattern, "v*.*.*");
    assert.equal(policy("staging", "staging").branchPattern, "main");
    assert.equal(policy("dev", "development").branchPattern, "develop");
  });

  for (const [stack, environment] of [
    ["dev", "development"],
    ["staging", "staging"],
    ["production", "production"],
  ]) {
    it(`pins the ${stack} deploy role's trust to aud sts.amazonaws.com and sub of the ${environment} environment`, () => {
      const trust = JSON.parse(
        evaluations[stack].get("aws:iam/role:Role", "ci-deploy").inputs.assumeRolePolicy,
      );
      assert.deepEqual(trust.Statement[0].Condition, {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:acme-shop/shop:environment:${environment}`,
        },
      });
      const preview = JSON.parse(
        evaluations[stack].get("aws:iam/role:Role", "ci-preview").inputs.assumeRolePolicy,
      );
      assert.equal(
        preview.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
        stack === "production"
          ? "repo:acme-shop/shop:environment:preview-production"
          : "repo:acme-shop/shop:environment:preview",
      );
    });
  }

  it("gives production's previews an environment of its own that only main may use, and writes its preview variables there", () => {
    const env = evaluations.production.get(
      "github:index/repositoryEnvironment:RepositoryEnvironment",
      "production-preview-production",
    ).inputs;
    assert.deepEqual(
      {
        environment: env.environment,
        canAdminsBypass: env.canAdminsBypass,
        policy: env.deploymentBranchPolicy,
      },
      {
        environment: "preview-production",
        canAdminsBypass: false,
        policy: { protectedBranches: false, customBranchPolicies: true },
      },
    );
    const policy = evaluations.production.get(
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
      "production-preview-production-policy",
    ).inputs;
    assert.deepEqual(
      [policy.environment, policy.branchPattern, policy.tagPattern],
      ["preview-production", "main", undefined],
    );
    const previewVars = (stack: string) =>
      evaluations[stack]
        .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        .filter((v) => /^(AWS_PREVIEW_ROLE_ARN|PULUMI_BACKEND_URL)_/.test(v.inputs.variableName))
        .map((v) => `${v.inputs.environment} ${v.inputs.variableName}`)
        .sort();
    assert.deepEqual(previewVars("production"), [
      "preview-production AWS_PREVIEW_ROLE_ARN_PRODUCTION",
      "preview-production PULUMI_BACKEND_URL_PRODUCTION",
    ]);
    assert.deepEqual(previewVars("staging"), [
      "preview AWS_PREVIEW_ROLE_ARN_STAGING",
      "preview PULUMI_BACKEND_URL_STAGING",
    ]);
  });

  it("lets the deploy role push only to its own stack's repositories and manage only roles under the stack's path", () => {
    const doc = JSON.parse(
      evaluations.staging.get("aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs.policy,
    );
    const push = doc.Statement.find((s: any) => s.Sid === "PushOwnRepositories");
    const own = evaluations.staging
      .ofType("aws:ecr/repository:Repository")
      .map((r) => `arn:aws:ecr:eu-west-1:123456789012:repository/${r.inputs.name}`);
    assert.deepEqual(push.Resource, own);
    assert.equal(own.length, 4);
    const roles = doc.Statement.find((s: any) => s.Sid === "StackRoles");
    assert.match(roles.Resource, /:role\/platform\/staging\/\*$/);
  });

  it("writes the environment's variables from the stack's outputs", () => {
    const vars = Object.fromEntries(
      evaluations.staging
        .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        .map((v) => [`${v.inputs.environment}/${v.inputs.variableName}`, v.inputs.value]),
    );
    assert.equal(vars["staging/STACK"], undefined, "jobs take the stack from their inputs");
    assert.equal(vars["staging/AWS_REGION"], "eu-west-1");
    assert.match(vars["staging/AWS_DEPLOY_ROLE_ARN"], /ci-deploy/);
    assert.match(vars["preview/AWS_PREVIEW_ROLE_ARN_STAGING"], /ci-preview/);
    assert.deepEqual(Object.keys(JSON.parse(vars["staging/REGISTRY_URLS"])), [
      "api",
      "web",
      "orders",
      "payments",
    ]);
    assert.equal(
      vars["staging/STATE_BACKUP_URI"],
      "s3://platform-state-222222222222-eu-west-1/state-backups/platform/staging",
    );
    assert.equal(vars["staging/MIGRATION_BACKUP_URI"], `${vars["staging/STATE_BACKUP_URI"]}/database`);
  });

  it("publishes the registry map for release tags only from the stack they promote from", () => {
    const published = (e: Evaluation) =>
      e
        .ofType("github:index/actionsVariable:ActionsVariable")
        .map((v) => v.inputs.variableName)
        .filter((n: string) => n.startsWith("REGISTRY_URLS_"));
    assert.deepEqual(published(evaluations.staging), ["REGISTRY_URLS_STAGING"]);
    assert.deepEqual(published(evaluations.dev), []);
    assert.deepEqual(published(evaluations.production), []);
  });

  it("publishes every stack's runner labels as a repository variable of its own, for runs-on", () => {
    for (const [stack, e] of Object.entries(evaluations)) {
      const labels = e
        .ofType("github:index/actionsVariable:ActionsVariable")
        .filter((v) => v.inputs.variableName === `RUNNER_LABELS_${stack.toUpperCase()}`);
      assert.deepEqual(
        labels.map((v) => [v.inputs.repository, v.inputs.value]),
        [["shop", `["codebuild-platform-${stack}-runner-{0}-{1}"]`]],
        stack,
      );
    }
  });
});

describe("the Slack webhook", function () {
  this.timeout(60000);
  const webhook = "https://hooks.slack.com/services/T000/B000/abcdef";

  it("is refused in plain text, naming the key and how to set it as a secret", async () => {
    await assert.rejects(
      () => evaluateStack("staging", { "platform:slackWebhookUrl": webhook }),
      /platform:slackWebhookUrl: got "\(a plaintext value\)"; a secret: pulumi config set --secret slackWebhookUrl <value>/,
    );
  });

  it("becomes an environment secret, and never a variable, when set as a secret", async () => {
    const e = await evaluateStack(
      "staging",
      { "platform:slackWebhookUrl": webhook },
      { secretKeys: ["platform:slackWebhookUrl"] },
    );
    const secret = e.get(
      "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
      "staging-slack_webhook_url",
    );
    assert.equal(secret.inputs.environment, "staging");
    assert.equal(secret.inputs.secretName, "SLACK_WEBHOOK_URL");
    assert.match(
      JSON.stringify(secret.rawInputs.toJavaScript()),
      /1b47061264138c4ac30d75fd1eb44270/,
      "sent as a secret",
    );
    const variables = e.ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable");
    assert.equal(
      variables.some((v) => String(v.inputs.value).includes("hooks.slack.com")),
      false,
    );
  });
});

describe("the GitHub provider's credentials", function () {
  this.timeout(60000);
  const provider = (e: Evaluation) => e.get("pulumi:providers:github", "github");

  it("hand the job's GITHUB_TOKEN to the provider as a secret, so the state keeps it encrypted", async () => {
    const before = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = "ghs_installationTokenOfTheDeliveryApp0001";
    try {
      const e = await evaluateStack("staging");
      assert.equal(provider(e).inputs.owner, "acme-shop");
      const raw = JSON.stringify(provider(e).rawInputs.toJavaScript().token);
      assert.match(raw, /1b47061264138c4ac30d75fd1eb44270/, "sent as a secret");
      assert.match(raw, /ghs_installationTokenOfTheDeliveryApp0001/);
    } finally {
      if (before === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = before;
    }
  });

  it("give the provider no token of their own when the job has none", () => {
    assert.deepEqual(githubProviderArgs("acme-shop", {}), { owner: "acme-shop" });
  });
});

describe("a private repository on GitHub Team", function () {
  this.timeout(60000);

  it("lets only production's reviewer teams push release tags, through a ruleset production owns, instead of environment reviewers", async () => {
    const github = structuredClone(readStackConfig("production")["platform:github"]) as Record<string, any>;
    Object.assign(github, { plan: "team", reviewers: { teams: ["platform-leads"] } });
    delete github.waitTimerMinutes;
    const e = await evaluateStack("production", { "platform:github": github });
    const env = e.get(
      "github:index/repositoryEnvironment:RepositoryEnvironment",
      "production-environment",
    ).inputs;
    assert.equal(env.reviewers, undefined);
    assert.equal(env.waitTimer, undefined);
    const rulesets = e.ofType("github:index/repositoryRuleset:RepositoryRuleset");
    assert.deepEqual(
      rulesets.map((r) => [
        r.name,
        r.inputs.name,
        r.inputs.conditions.refName.includes,
        r.inputs.bypassActors,
      ]),
      [
        [
          "production-release-tags",
          "release-tags-production",
          ["refs/tags/v*"],
          [{ actorId: 2000 + "platform-leads".length, actorType: "Team", bypassMode: "always" }],
        ],
      ],
    );
  });
});
