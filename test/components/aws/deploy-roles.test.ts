import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import {
  DeployRoles,
  DeployRolesArgs,
  githubSubject,
  RESOURCELESS_CREATE_ACTIONS,
  SERVICE_LINKED_ROLE_SERVICES,
} from "../../../src/components/aws/deploy-roles";
import { ACCOUNT, actionsOf, evaluateComponent, statementsOf } from "../../helpers/components";

const STATE_KEY = "arn:aws:kms:eu-west-1:111111111111:key/5a1e0000-1111-4c0d-8e00-000000000001";
const SECRETS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/5ec00000-1111-4c0d-8e00-000000000001";

function rolesArgs(overrides: Partial<DeployRolesArgs> = {}): DeployRolesArgs {
  return {
    owner: "acme-shop",
    repository: "shop",
    environment: "production",
    previewEnvironment: "preview",
    repositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/platform-production/api"],
    stateBackend: {
      bucket: "platform-state-111111111111-eu-west-1",
      region: "eu-west-1",
      stateKeyArn: STATE_KEY,
    },
    secretsKeyArn: SECRETS_KEY,
    account: ACCOUNT,
    ...overrides,
  };
}

/** Read-only action names: describe, list, get, the caller's identity, and decrypting state. */
const READ_ONLY = /^(sts:GetCallerIdentity|kms:Decrypt|[a-z0-9-]+:(Describe|List|Get|BatchGet)[A-Za-z]*\*?)$/;

describe("component", function () {
  this.timeout(60000);

  describe("DeployRoles built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(() => new DeployRoles("ci", rolesArgs()), "production");
    });
    const role = (name: string) => e.get("aws:iam/role:Role", name).inputs;
    const policy = (name: string) => statementsOf(e.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
    const trust = (name: string) => statementsOf(role(name).assumeRolePolicy);

    it("limits both CI roles to one-hour sessions under the CI path, outside the stack's role path", () => {
      for (const name of ["ci-deploy", "ci-preview"]) {
        assert.equal(role(name).maxSessionDuration, 3600, name);
        assert.equal(role(name).path, "/platform-ci/", name);
      }
    });

    it("trusts only this stack's GitHub environment, with audience sts.amazonaws.com and an exact subject", () => {
      const cases: [string, string][] = [
        ["ci-deploy", "repo:acme-shop/shop:environment:production"],
        ["ci-preview", "repo:acme-shop/shop:environment:preview"],
      ];
      for (const [name, subject] of cases) {
        const statements = trust(name);
        assert.equal(statements.length, 1);
        const [s] = statements;
        assert.deepEqual(
          [s.Effect, s.Action, s.Principal],
          [
            "Allow",
            "sts:AssumeRoleWithWebIdentity",
            { Federated: "arn:aws:iam:eu-west-1:123456789012:ci-github-oidc" },
          ],
        );
        assert.deepEqual(s.Condition, {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": subject,
          },
        });
      }
    });

    it("creates the GitHub OIDC provider for audience sts.amazonaws.com, or uses the given one", async () => {
      const provider = e.get("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ci-github-oidc").inputs;
      assert.deepEqual(
        [provider.url, provider.clientIdLists],
        ["https://token.actions.githubusercontent.com", ["sts.amazonaws.com"]],
      );
      const existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
      const reuse = await evaluateComponent(
        () => new DeployRoles("ci", rolesArgs({ oidcProviderArn: existing })),
      );
      assert.equal(reuse.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
      assert.deepEqual(
        statementsOf(reuse.get("aws:iam/role:Role", "ci-deploy").inputs.assumeRolePolicy)[0].Principal,
        {
          Federated: existing,
        },
      );
    });

    it("gives the preview role read-only actions and no write, pass-role or encrypt action", () => {
      const actions = actionsOf(policy("ci-preview"));
      assert.deepEqual(
        actions.filter((a) => !READ_ONLY.test(a)),
        [],
      );
      for (const forbidden of ["s3:PutObject", "iam:PassRole", "kms:Encrypt", "s3:DeleteObject"])
        assert.equal(actions.includes(forbidden), false, forbidden);
    });

    it("lets the deploy role manage and pass only roles under the stack's role path, to the program's services", () => {
      const statements = policy("ci-deploy");
      const roles = statements.find((s) => s.Sid === "StackRoles");
      assert.equal(roles.Resource, "arn:aws:iam::123456789012:role/platform/production/*");
      const pass = statements.find((s) => s.Sid === "PassStackRoles");
      assert.deepEqual(
        [pass.Action, pass.Resource, pass.Condition],
        [
          "iam:PassRole",
          "arn:aws:iam::123456789012:role/platform/production/*",
          {
            StringEquals: {
              "iam:PassedToService": [
                "eks.amazonaws.com",
                "ec2.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "ecs.amazonaws.com",
                "vpc-flow-logs.amazonaws.com",
                "codebuild.amazonaws.com",
                "chatbot.amazonaws.com",
              ],
            },
          },
        ],
      );
      const iamWritesOnAnything = statements
        .filter((s) => s.Resource === "*")
        .flatMap((s) => [s.Action].flat())
        .filter((a: string) => a.startsWith("iam:") && !/^iam:(Get|List)/.test(a));
      assert.deepEqual(iamWritesOnAnything, []);
      const linked = statements.find((s) => s.Sid === "ServiceLinkedRoles");
      assert.equal(linked.Resource, "arn:aws:iam::123456789012:role/aws-service-role/*");
      assert.deepEqual(linked.Condition.StringEquals["iam:AWSServiceName"], SERVICE_LINKED_ROLE_SERVICES);
    });

    it("lets the deploy role act only in its account and region: on any resource, reads and the region-pinned resource-less creates", () => {
      const statements = policy("ci-deploy");
      const anywhere = statements.filter((s) => [s.Resource].flat().includes("*"));
      assert.deepEqual(
        anywhere.map((s) => s.Sid),
        [
          "Identity",
          "ReadOnly",
          "ResourcelessCreates",
          "ReadMetrics",
          "PublishDeliveryMetrics",
          "ChatbotCreate",
        ],
      );
      const writes = anywhere
        .flatMap((s) => [s.Action].flat())
        .filter((a: string) => !/^[a-z0-9-]+:(Describe|List|Get|BatchGet)/.test(a));
      // The other writes on "*": the pipelines' failed-run count (its own namespace only) and
      // creating a Chatbot channel, which has no resource-level permissions.
      assert.deepEqual(writes, [
        ...RESOURCELESS_CREATE_ACTIONS,
        "cloudwatch:PutMetricData",
        "chatbot:CreateSlackChannelConfiguration",
      ]);
      assert.deepEqual(statements.find((s) => s.Sid === "PublishDeliveryMetrics").Condition, {
        StringEquals: { "cloudwatch:namespace": "Platform/Delivery" },
      });
      assert.deepEqual(anywhere[2].Condition, { StringEquals: { "aws:RequestedRegion": "eu-west-1" } });
      assert.equal(
        statements.find((s) => s.Sid === "StackBuckets").Resource,
        "arn:aws:s3:::platform-production-*",
      );
      assert.equal(
        statements.find((s) => s.Sid === "StackRepositories").Resource,
        "arn:aws:ecr:eu-west-1:123456789012:repository/platform-production/*",
      );
      const services = statements.find((s) => s.Sid === "StackServices");
      assert.ok(
        services.Resource.every((r: string) => /^arn:aws:[a-z0-9-]+:eu-west-1:123456789012:\*$/.test(r)),
        services.Resource.join(", "),
      );
      assert.deepEqual(statements.find((s) => s.Sid === "PushOwnRepositories").Resource, [
        "arn:aws:ecr:eu-west-1:123456789012:repository/platform-production/api",
      ]);
    });

    it("gives no push statement without repositories and no state statements on Pulumi Cloud", async () => {
      const bare = await evaluateComponent(
        () =>
          new DeployRoles(
            "ci",
            rolesArgs({ repositoryArns: [], stateBackend: undefined, secretsKeyArn: undefined }),
          ),
      );
      const sids = (name: string) =>
        statementsOf(bare.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy).map((s) => s.Sid);
      assert.deepEqual(sids("ci-deploy"), [
        "Identity",
        "StackServices",
        "ReadOnly",
        "ResourcelessCreates",
        "StackKeys",
        "StackRepositories",
        "StackBuckets",
        "ServiceLinkedRoles",
        "ClusterOidcProviders",
        "GitHubConnections",
        "StackRoles",
        "StackBoundaries",
        "PassStackRoles",
        "ReadMetrics",
        "PublishDeliveryMetrics",
        "ChatbotCreate",
        "StackChatbotChannels",
      ]);
      assert.deepEqual(sids("ci-preview"), ["ReadOnly"]);
    });
  });

  describe("DeployRoles subject planner", () => {
    it("pins the subject to one repository and environment, with no wildcard", () => {
      const table: [string, string, string, string][] = [
        ["acme-shop", "shop", "production", "repo:acme-shop/shop:environment:production"],
        ["o", "r.js", "preview", "repo:o/r.js:environment:preview"],
      ];
      for (const [owner, repository, environment, subject] of table) {
        assert.equal(githubSubject(owner, repository, environment), subject);
        assert.equal(subject.includes("*"), false);
      }
    });
  });
});
