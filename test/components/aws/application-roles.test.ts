// One application's deploy role can release, scale and roll back its own application and change
// nothing of another's: its policy, as the seeds' production stack registers it, against the IAM
// simulator (@cloud-copilot/iam-simulate), call by call.
import { strict as assert } from "assert";
import "../../helpers/context";
import { Evaluation, MOCK_ACCOUNT } from "../../../dev/harness/evaluate";
import { evaluatePlatformStack } from "../../../dev/harness/program";
import { APPLICATION_TAG } from "../../../src/components/aws/application-roles";
import { IamCall, mismatches } from "../../helpers/iam-simulate";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { SEEDS_DIR } from "../../helpers/seeds";

const A = MOCK_ACCOUNT;
const R = "eu-west-1";
const STATE = "arn:aws:s3:::platform-state-333333333333-eu-west-1";
const ownedBy = (application: string) => ({ [`aws:ResourceTag/${APPLICATION_TAG}`]: application });
const taggedFor = (application: string) => ({ [`aws:RequestTag/${APPLICATION_TAG}`]: application });
const ecs = (resource: string) => `arn:aws:ecs:${R}:${A}:${resource}`;
const elb = (resource: string) => `arn:aws:elasticloadbalancing:${R}:${A}:${resource}`;
const role = (name: string) => `arn:aws:iam::${A}:role/platform/production/${name}`;
const BOUNDARY = `arn:aws:iam::${A}:policy/platform/production/platform-production-helloagents-boundary`;
const state = (stack: string) => `${STATE}/.pulumi/stacks/apps/${stack}.json`;
const repository = (service: string) => `arn:aws:ecr:${R}:${A}:repository/platform-production/${service}`;

describe("an application's deploy role, judged by the IAM simulator", function () {
  this.timeout(120000);
  let e: Evaluation;
  const policyOf = (application: string) =>
    JSON.parse(e.get("aws:iam/rolePolicy:RolePolicy", `app-${application}`).inputs.policy);
  before(async () => {
    e = await evaluatePlatformStack("production", {}, { stackDir: SEEDS_DIR });
  });

  it("releases, scales and rolls back its own application: its services, rules, roles, logs, alarms, records, state and images", async () => {
    const own: IamCall[] = [
      ["ecs:UpdateService", ecs("service/platform-production-ecs/backend"), ownedBy("helloagents")],
      ["ecs:ListServiceDeployments", ecs("service/platform-production-ecs/backend"), ownedBy("helloagents")],
      [
        "ecs:ContinueServiceDeployment",
        ecs("service-deployment/platform-production-ecs/backend/Zx9Kq2mN4pL7"),
        ownedBy("helloagents"),
      ],
      ["ecs:RegisterTaskDefinition", ecs("task-definition/backend:7"), taggedFor("helloagents")],
      [
        "elasticloadbalancing:CreateTargetGroup",
        elb("targetgroup/backend-g-1a2b3c4/*"),
        taggedFor("helloagents"),
      ],
      [
        "elasticloadbalancing:ModifyRule",
        elb("listener-rule/app/platform-production-alb/1/2/3"),
        ownedBy("helloagents"),
      ],
      [
        "iam:CreateRole",
        role("backend-bluegreen"),
        { ...taggedFor("helloagents"), "iam:PermissionsBoundary": BOUNDARY },
      ],
      [
        "iam:PutRolePolicy",
        role("backend-task"),
        { ...ownedBy("helloagents"), "iam:PermissionsBoundary": BOUNDARY },
      ],
      [
        "iam:PassRole",
        role("backend-bluegreen"),
        { ...ownedBy("helloagents"), "iam:PassedToService": "ecs.amazonaws.com" },
      ],
      [
        "iam:AttachRolePolicy",
        role("backend-bluegreen"),
        {
          ...ownedBy("helloagents"),
          "iam:PermissionsBoundary": BOUNDARY,
          "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
        },
      ],
      [
        "cloudwatch:PutMetricAlarm",
        `arn:aws:cloudwatch:${R}:${A}:alarm:backend-5xx`,
        taggedFor("helloagents"),
      ],
      [
        "route53:ChangeResourceRecordSets",
        "arn:aws:route53:::hostedzone/Z0PRODUCTION0000003",
        { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["backend.example.com"] },
      ],
      ["s3:PutObject", state("helloagents-production")],
      ["s3:GetObject", `${STATE}/.pulumi/stacks/platform/production.json`],
    ];
    assert.deepEqual(await mismatches(policyOf("helloagents"), own, "Allowed"), []);
    assert.deepEqual(
      await mismatches(
        policyOf("voiceassist"),
        [
          ["ecr:PutImage", repository("api-gateway")],
          // Release tags copy the digest staging runs: staging's repository of its own service only.
          ["ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:222222222222:repository/platform-staging/api-gateway"],
        ],
        "Allowed",
      ),
      [],
    );
  });

  it("changes nothing of another application's, nor the platform's", async () => {
    const others: IamCall[] = [
      ["ecs:UpdateService", ecs("service/platform-production-ecs/company-app"), ownedBy("company-app")],
      [
        "ecs:ContinueServiceDeployment",
        ecs("service-deployment/platform-production-ecs/company-app/Ab12"),
        ownedBy("company-app"),
      ],
      ["ecs:DeleteService", ecs("service/platform-production-ecs/company-app"), ownedBy("company-app")],
      ["ecs:RegisterTaskDefinition", ecs("task-definition/company-app:7"), taggedFor("company-app")],
      // Created with its own tag, but in another account than the stack's.
      [
        "ecs:RegisterTaskDefinition",
        "arn:aws:ecs:eu-west-1:999999999999:task-definition/backend:7",
        taggedFor("helloagents"),
      ],
      [
        "elasticloadbalancing:ModifyRule",
        elb("listener-rule/app/platform-production-alb/1/2/9"),
        ownedBy("company-app"),
      ],
      ["elasticloadbalancing:DeleteListener", elb("listener/app/platform-production-alb/1/2")],
      ["iam:PutRolePolicy", role("company-app-task"), ownedBy("company-app")],
      [
        "iam:PassRole",
        role("company-app-task"),
        { ...ownedBy("company-app"), "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      ],
      // A role of its own without the boundary: it could be given anything.
      ["iam:CreateRole", role("backend-escape"), taggedFor("helloagents")],
      ["iam:PutRolePolicy", role("backend-task"), ownedBy("helloagents")],
      // Its boundary is the platform's: not its to change or remove.
      ["iam:CreatePolicyVersion", BOUNDARY],
      ["iam:DeleteRolePermissionsBoundary", role("backend-task"), ownedBy("helloagents")],
      // Its own role, but a policy broader than ECS's own for blue/green.
      [
        "iam:AttachRolePolicy",
        role("backend-task"),
        {
          ...ownedBy("helloagents"),
          "iam:PermissionsBoundary": BOUNDARY,
          "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      ],
      [
        "ec2:AuthorizeSecurityGroupIngress",
        `arn:aws:ec2:${R}:${A}:security-group/sg-0c0mpany`,
        ownedBy("company-app"),
      ],
      [
        "logs:DeleteLogGroup",
        `arn:aws:logs:${R}:${A}:log-group:/platform-production-company-app/ecs`,
        ownedBy("company-app"),
      ],
      [
        "route53:ChangeResourceRecordSets",
        "arn:aws:route53:::hostedzone/Z0PRODUCTION0000003",
        { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["company-app.example.com"] },
      ],
      ["s3:PutObject", state("company-app-production")],
      ["s3:PutObject", `${STATE}/.pulumi/stacks/platform/production.json`],
      ["ecr:PutImage", repository("api-gateway")],
      ["ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:222222222222:repository/platform-staging/api-gateway"],
      ["eks:DeleteCluster", `arn:aws:eks:${R}:${A}:cluster/platform-production-eks`],
    ];
    assert.deepEqual(await mismatches(policyOf("helloagents"), others, "ImplicitlyDenied"), []);
  });

  it("caps every role the application creates: a task role granted everything still reaches nothing of another's, no identity, secret, image or state but its own", async () => {
    const boundary = JSON.parse(e.get("aws:iam/policy:Policy", "app-helloagents-boundary").inputs.policy);
    assert.equal(
      e.get("aws:iam/policy:Policy", "app-helloagents-boundary").inputs.path,
      "/platform/production/",
    );
    const everything = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    };
    const decide = async ([action, resource, context]: IamCall): Promise<string> =>
      (
        (await runSimulation(
          {
            identityPolicies: [{ name: "task", policy: everything }],
            permissionBoundaryPolicies: [{ name: "boundary", policy: boundary }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: {
              action,
              principal: role("backend-task"),
              resource: { accountId: A, resource },
              contextVariables: { "aws:RequestedRegion": R, ...context },
            },
          } as any,
          {},
        )) as { overallResult: string }
      ).overallResult;
    const own =
      "arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/helloagents/ghcr-pull-AbCdEf";
    const allowed: IamCall[] = [
      ["secretsmanager:GetSecretValue", own],
      ["s3:GetObject", "arn:aws:s3:::helloagents-uploads/report.pdf"],
      ["sqs:SendMessage", `arn:aws:sqs:${R}:${A}:helloagents-jobs`],
      // Its own tagged resources: within the boundary.
      ["sqs:DeleteMessage", `arn:aws:sqs:${R}:${A}:helloagents-jobs`, ownedBy("helloagents")],
    ];
    for (const call of allowed) assert.equal(await decide(call), "Allowed", call.join(" "));
    const denied: IamCall[] = [
      [
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/company-app/db-url-AbCdEf",
      ],
      ["sqs:DeleteQueue", `arn:aws:sqs:${R}:${A}:company-jobs`, ownedBy("company-app")],
      ["iam:CreateUser", `arn:aws:iam::${A}:user/backdoor`],
      ["sts:AssumeRole", role("ci-deploy")],
      ["s3:GetObject", `${STATE}/.pulumi/stacks/platform/production.json`],
      ["ecr:PutImage", repository("api-gateway")],
      ["ec2:TerminateInstances", `arn:aws:ec2:${R}:${A}:instance/i-0a1b2c3d`],
    ];
    for (const call of denied) assert.notEqual(await decide(call), "Allowed", call.join(" "));
  });
});
