// Can a release tag really copy staging's image into production's registry? The production deploy
// role (its identity policy as the production stack registers it, in account 333333333333) pulls
// from staging's repositories (their repository policy as the staging stack registers it, in
// account 222222222222). Cross-account, AWS needs both to allow; the IAM simulator decides.
import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Evaluation } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { PULL_ACTIONS } from "../../../src/components/aws/registry";
import { stackConfigFromFile } from "../../../src/config";

const STAGING = "222222222222";
const PRODUCTION = "333333333333";
const R = "eu-west-1";
const repo = (account: string, name: string) => `arn:aws:ecr:${R}:${account}:repository/${name}`;
const PUSH = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];

interface Request {
  readonly principal: string;
  readonly identity: object;
  readonly action: string;
  readonly resource: string;
  /** The repository's own policy; absent for a repository without one. */
  readonly resourcePolicy?: object;
}

async function decide(r: Request): Promise<string> {
  const account = r.principal.split(":")[4];
  const result = await runSimulation(
    {
      identityPolicies: [{ name: "identity", policy: r.identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: r.resourcePolicy,
      request: {
        action: r.action,
        principal: r.principal,
        resource: { accountId: r.resource.split(":")[4] || account, resource: r.resource },
        // What AWS sets for a role session: the role's ARN (with its path) and account.
        contextVariables: { "aws:PrincipalArn": r.principal, "aws:PrincipalAccount": account },
      },
    } as any,
    {},
  );
  if (result.resultType === "error") return `invalid: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

describe("promotion of staging's images to production across accounts", function () {
  this.timeout(120000);
  let staging: Evaluation;
  let production: Evaluation;
  let deployRole: string;
  let deployPolicy: object;
  const repositoryPolicy = (service: string) =>
    JSON.parse(
      staging.get("aws:ecr/repositoryPolicy:RepositoryPolicy", `registry-${service}-pull`).inputs.policy,
    );
  const services = stackConfigFromFile("production").services.map((s) => s.name);

  before(async () => {
    staging = await evaluateStack("staging", {}, { account: STAGING });
    production = await evaluateStack("production", {}, { account: PRODUCTION });
    const role = production.get("aws:iam/role:Role", "ci-deploy").inputs;
    // IAM names the role as Pulumi auto-names it: the logical name and a random suffix, under its path.
    deployRole = `arn:aws:iam::${PRODUCTION}:role${role.path}ci-deploy-4f2a9c1`;
    deployPolicy = JSON.parse(production.get("aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs.policy);
  });

  it("lets production's deploy role pull every service's image from staging's repository, and get a registry token", async () => {
    for (const service of services)
      for (const action of PULL_ACTIONS)
        assert.equal(
          await decide({
            principal: deployRole,
            identity: deployPolicy,
            action,
            resource: repo(STAGING, `platform-staging/${service}`),
            resourcePolicy: repositoryPolicy(service),
          }),
          "Allowed",
          `${action} on platform-staging/${service}`,
        );
    assert.equal(
      await decide({
        principal: deployRole,
        identity: deployPolicy,
        action: "ecr:GetAuthorizationToken",
        resource: "*",
      }),
      "Allowed",
    );
  });

  it("needs both sides: staging's repository policy and production's role policy each allow the pull", async () => {
    const pull = {
      principal: deployRole,
      action: "ecr:BatchGetImage",
      resource: repo(STAGING, "platform-staging/api"),
    };
    assert.equal(await decide({ ...pull, identity: deployPolicy }), "ImplicitlyDenied");
    const withoutSource = structuredClone(deployPolicy) as { Statement: { Sid?: string }[] };
    withoutSource.Statement = withoutSource.Statement.filter((s) => s.Sid !== "PullPromotionSource");
    assert.equal(
      await decide({ ...pull, identity: withoutSource, resourcePolicy: repositoryPolicy("api") }),
      "ImplicitlyDenied",
    );
  });

  it("denies production's deploy role every other account's and every other repository's images", async () => {
    const denied: [account: string, name: string][] = [
      ["444444444444", "platform-staging/api"],
      ["111111111111", "platform-dev/api"],
      [STAGING, "platform-dev/api"],
      [STAGING, "platform-staging/other"],
      [STAGING, "other/api"],
    ];
    for (const [account, name] of denied)
      assert.equal(
        await decide({
          principal: deployRole,
          identity: deployPolicy,
          action: "ecr:BatchGetImage",
          resource: repo(account, name),
          // Even a repository carrying staging's policy grants nothing the role's own policy does not.
          resourcePolicy: repositoryPolicy("api"),
        }),
        "ImplicitlyDenied",
        `${account} ${name}`,
      );
  });

  it("grants production nothing but pull on staging's repositories, and nobody in production but its deploy role", async () => {
    const everything = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }],
    };
    for (const action of PUSH)
      assert.equal(
        await decide({
          principal: deployRole,
          identity: everything,
          action,
          resource: repo(STAGING, "platform-staging/api"),
          resourcePolicy: repositoryPolicy("api"),
        }),
        "ImplicitlyDenied",
        action,
      );
    for (const other of [
      `arn:aws:iam::${PRODUCTION}:role/platform-ci/ci-preview-4f2a9c1`,
      `arn:aws:iam::${PRODUCTION}:role/platform/production/eks-nodes-4f2a9c1`,
      `arn:aws:iam::${PRODUCTION}:user/ci`,
    ])
      assert.equal(
        await decide({
          principal: other,
          identity: everything,
          action: "ecr:BatchGetImage",
          resource: repo(STAGING, "platform-staging/api"),
          resourcePolicy: repositoryPolicy("api"),
        }),
        "ImplicitlyDenied",
        other,
      );
  });

  it("names the source repositories from config: staging's account, region, stack prefix and production's services", () => {
    const statement = (
      deployPolicy as { Statement: { Sid?: string; Resource: string[]; Action: string[] }[] }
    ).Statement.find((s) => s.Sid === "PullPromotionSource");
    assert.deepEqual(statement?.Action, PULL_ACTIONS);
    assert.deepEqual(
      statement?.Resource,
      services.map((s) => repo(STAGING, `platform-staging/${s}`)),
    );
    assert.equal(
      staging
        .ofType("aws:iam/rolePolicy:RolePolicy")
        .some((p) => p.inputs.policy.includes("PullPromotionSource")),
      false,
    );
  });

  it("is configured on both sides for the accounts the stacks run in (an ACM certificate lives in its ALB's account)", () => {
    const accountOf = (stack: string) => stackConfigFromFile(stack).dns!.certificateArn!.split(":")[4];
    assert.deepEqual([accountOf("staging"), accountOf("production")], [STAGING, PRODUCTION]);
    assert.deepEqual(stackConfigFromFile("production").registry.promotionSource, {
      accountId: accountOf("staging"),
      region: R,
    });
    assert.deepEqual(stackConfigFromFile("staging").registry.promotionTargetAccountIds, [
      accountOf("production"),
    ]);
    assert.deepEqual(stackConfigFromFile("staging").registry.pullAccountIds, []);
  });
});
