// The five seed teams (../shared/seeds/) onboarded as they are, in one platform config
// (examples/seeds/): each guide's pipeline — triggers, branch → environment mapping, approvals,
// jobs per toolchain, registry, strategy — read off what the platform renders and registers.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
// The config modules first: src/config and src/workflows import each other (a known ring).
import "../helpers/context";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { runGate } from "../../dev/harness/policy-harness";
import { applicationStackName } from "../../src/config/applications";
import { appsDir } from "../../src/config/application-stack";
import { stackFilePath } from "../../src/config/stack-files";
import {
  SEED_ACCOUNTS,
  SEED_STACKS,
  SEEDS_DIR,
  seedConfig,
  seedPlatformFiles,
  seedRepositories,
} from "../helpers/seeds";

const workflow = (files: Record<string, string>, name: string) =>
  YAML.parse(files[`.github/workflows/${name}`]);
const EXECUTOR = "acme/platform/.github/workflows";
const COMMIT = "9f2c4e1d0b3a5968776655443322110fedcba987";

/** `deploy-<service>-<stack>` jobs of build-deploy.yml: the branch each runs on, by stack. */
function deploysByBranch(files: Record<string, string>, service: string): Record<string, string> {
  const jobs = workflow(files, "build-deploy.yml").jobs;
  return Object.fromEntries(
    Object.entries<any>(jobs)
      .filter(([id]) => id.startsWith(`deploy-${service}-`))
      .map(([, j]) => [j.with.stack, /refs\/heads\/([^']+)'/.exec(j.if)![1]]),
  );
}

/** The stacks release.yml deploys a service to (from v*.*.* tags), empty without release.yml. */
function releasedByTags(files: Record<string, string>, service: string): string[] {
  const file = files[".github/workflows/release.yml"];
  if (!file) return [];
  const release = YAML.parse(file);
  assert.deepEqual(release.on, { push: { tags: ["v*.*.*"] } });
  return Object.entries<any>(release.jobs)
    .filter(([id]) => id.startsWith(`release-${service}-`))
    .map(([, j]) => j.with.stack);
}

describe("the five seed teams, onboarded in one platform config", function () {
  this.timeout(180000);
  const repos = seedRepositories();
  const evaluations: Record<string, Evaluation> = {};
  before(async () => {
    for (const stack of SEED_STACKS)
      evaluations[stack] = await evaluateStack(
        stack,
        {},
        { stackDir: SEEDS_DIR, account: SEED_ACCOUNTS[stack] },
      );
  });

  it("declares the five applications, each with its own repository and a stack per environment it deploys to", () => {
    assert.deepEqual(Object.keys(repos).sort(), [
      "berrys",
      "company-app",
      "helloagents",
      "orders",
      "voiceassist",
    ]);
    const expected: Record<string, string[]> = {
      voiceassist: ["dev", "staging", "production"],
      berrys: ["staging", "production"],
      "company-app": ["dev", "staging", "production"],
      orders: ["dev", "staging", "production"],
      helloagents: ["staging", "production"],
    };
    for (const [application, stacks] of Object.entries(expected)) {
      assert.deepEqual(
        repos[application].application.github.stacks.map((s) => s.stack),
        stacks,
        application,
      );
      for (const stack of stacks) {
        assert.ok(
          fs.existsSync(stackFilePath(applicationStackName(application, stack), appsDir(SEEDS_DIR))),
          `${application} has no application stack file for ${stack}`,
        );
        assert.equal(
          (evaluations[stack].outputs.applicationStacks as Record<string, string>)[application],
          applicationStackName(application, stack),
        );
      }
    }
    assert.deepEqual(
      Object.fromEntries(
        Object.values(repos).map((r) => [r.application.name, `${r.ctx.owner}/${r.ctx.repository}`]),
      ),
      {
        voiceassist: "acme/VoiceAssist",
        "company-app": "acme/company-app",
        orders: "acme/orders-api",
        berrys: "acme/Berrys_AgentsV2",
        helloagents: "acme/HelloAgents",
      },
    );
  });

  it("commits each repository's generated workflows into that repository, through the platform's executor at the pinned commit", () => {
    for (const { ctx, files, owningStack } of Object.values(repos)) {
      const committed = evaluations[owningStack]
        .ofType("github:index/repositoryFile:RepositoryFile")
        .filter((f) => f.inputs.repository === ctx.repository);
      assert.deepEqual(committed.map((f) => f.inputs.file).sort(), Object.keys(files).sort(), ctx.repository);
      for (const f of committed) assert.equal(f.inputs.content, files[f.inputs.file], f.inputs.file);
      const calls = Object.values<any>(workflow(files, "build-deploy.yml").jobs).filter((j) => j.uses);
      for (const j of calls)
        assert.match(
          j.uses,
          new RegExp(`^${EXECUTOR}/(build-image(-ghcr)?|deploy-service)\\.yml@${COMMIT}$`),
        );
      // No program of the platform's runs there: no infrastructure job, no lint of the program.
      assert.deepEqual(
        Object.keys(files).filter((p) => /infra|drift|dora/.test(p)),
        [],
      );
    }
  });

  it("renders no job with an environment's own values: its secrets, migrations and post-deploy checks are read when it runs", () => {
    const perEnvironment = SEED_STACKS.flatMap((stack) =>
      seedConfig(stack).services.flatMap((svc) => [
        ...Object.values(svc.secrets ?? {}),
        ...(svc.postDeploy ? [svc.postDeploy.command] : []),
        ...(svc.migrations
          ? [svc.migrations.apply, svc.migrations.validate, svc.migrations.databaseUrlSecretArn]
          : []),
      ]),
    );
    assert.ok(perEnvironment.length >= 3, "the seeds hold per-environment values");
    const rendered = [
      ...Object.values(repos).flatMap((r) => Object.entries(r.files)),
      ...Object.entries(seedPlatformFiles()),
    ];
    assert.deepEqual(
      rendered.flatMap(([file, content]) =>
        perEnvironment.filter((v) => content.includes(v)).map((v) => `${file}: ${v}`),
      ),
      [],
    );
  });

  it("000 VoiceAssist: gitflow, develop → dev, main → staging, v*.*.* tags → production with its leads' approval; Python 3.11 and 3.12 with Postgres and Redis; EKS from ECR", () => {
    const { files, ctx } = repos.voiceassist;
    assert.deepEqual(deploysByBranch(files, "api-gateway"), { dev: "develop", staging: "main" });
    assert.deepEqual(releasedByTags(files, "api-gateway"), ["production"]);
    assert.deepEqual(workflow(files, "ci.yml").jobs["unit-api-gateway"].strategy.matrix.version, [
      "3.11",
      "3.12",
    ]);
    assert.deepEqual(Object.keys(workflow(files, "ci.yml").jobs["integration-api-gateway"].services).sort(), [
      "postgres",
      "redis",
    ]);
    assert.equal(
      workflow(files, "build-deploy.yml").jobs["build-api-gateway"].uses,
      `${EXECUTOR}/build-image.yml@${COMMIT}`,
    );
    assert.equal(ctx.registryKind, "ecr");
    // Team plan, private: production's reviewers guard the release tags through a ruleset.
    const ruleset = evaluations.production
      .ofType("github:index/repositoryRuleset:RepositoryRuleset")
      .find((r) => r.inputs.repository === "VoiceAssist");
    assert.equal(ruleset?.inputs.conditions.refName.includes[0], "refs/tags/v*");
    assert.deepEqual(
      ruleset?.inputs.bypassActors.length,
      1,
      "only the voice-leads team creates release tags",
    );
  });

  it("001 Berrys: develop → staging, main → production after an approval; one Python 3.10 service built from its shared package too; blue/green on EKS", () => {
    const { files } = repos.berrys;
    assert.deepEqual(deploysByBranch(files, "agents"), { staging: "develop", production: "main" });
    assert.deepEqual(releasedByTags(files, "agents"), []);
    assert.ok(workflow(files, "build-deploy.yml").on.push.paths.includes("shared/**"));
    const build = workflow(files, "build-deploy.yml").jobs["build-agents"].with;
    assert.equal(build.context, ".", "the image is built from the repository root, where shared/ is");
    assert.equal(
      seedConfig("production").services.find((s) => s.name === "agents")!.strategy.type,
      "blueGreen",
    );
    const production = evaluations.production
      .ofType("github:index/repositoryEnvironment:RepositoryEnvironment")
      .find((e) => e.inputs.repository === "Berrys_AgentsV2" && e.inputs.environment === "production");
    assert.equal(
      production?.inputs.reviewers.length,
      1,
      "enterprise: environment reviewers gate main's deploy",
    );
  });

  it("002 company-app: one Python app at the repository root on ECS; develop → dev, staging → staging, main → production", () => {
    const { files } = repos["company-app"];
    assert.deepEqual(deploysByBranch(files, "company-app"), {
      dev: "develop",
      staging: "staging",
      production: "main",
    });
    assert.deepEqual(workflow(files, "build-deploy.yml").on.push.branches, ["develop", "staging", "main"]);
    assert.equal(workflow(files, "build-deploy.yml").jobs["build-company-app"].with.context, ".");
    assert.equal(seedConfig("production").services.find((s) => s.name === "company-app")!.target, "ecs");
    assert.equal(files[".github/workflows/release.yml"], undefined, "no stack deploys from tags");
  });

  it("003 orders-api: trunk, main → dev then staging after an approval, tags → production with two teams and a wait; Python and React from GHCR; canary; its smoke tests after each deploy; the environments are namespaces of one cluster", () => {
    const { files, ctx } = repos.orders;
    assert.deepEqual(deploysByBranch(files, "orders-api"), { dev: "main", staging: "main" });
    assert.deepEqual(releasedByTags(files, "orders-web"), ["production"]);
    assert.equal(ctx.registryKind, "ghcr");
    assert.equal(
      workflow(files, "build-deploy.yml").jobs["build-orders-web"].uses,
      `${EXECUTOR}/build-image-ghcr.yml@${COMMIT}`,
    );
    const ci = workflow(files, "ci.yml").jobs;
    assert.ok(ci["unit-orders-api"] && ci["unit-orders-web"], "a job set per toolchain");
    assert.equal(
      seedConfig("staging").services.find((s) => s.name === "orders-api")!.postDeploy?.command,
      "python scripts/smoke_tests.py --env staging",
    );
    for (const stack of SEED_STACKS)
      assert.equal(
        (evaluations[stack].outputs.namespaces as Record<string, string>)["orders-api"],
        `${stack}-orders-api`,
      );
    const production = evaluations.production
      .ofType("github:index/repositoryEnvironment:RepositoryEnvironment")
      .find((e) => e.inputs.repository === "orders-api" && e.inputs.environment === "production");
    assert.equal(production?.inputs.waitTimer, 10);
    assert.equal(production?.inputs.reviewers[0].teams.length, 2);
  });

  it("004 HelloAgents: staging and production only, main → staging, tags → production; FastAPI and React on ECS blue/green from private GHCR packages", () => {
    const { files } = repos.helloagents;
    assert.deepEqual(deploysByBranch(files, "backend"), { staging: "main" });
    assert.deepEqual(releasedByTags(files, "frontend"), ["production"]);
    const backend = evaluations.production.get("aws:ecs/service:Service", "backend-service").inputs;
    assert.equal(backend.deploymentConfiguration.strategy, "BLUE_GREEN");
    assert.equal(backend.deploymentConfiguration.bakeTimeInMinutes, "15");
    const task = JSON.parse(
      evaluations.production.get("aws:ecs/taskDefinition:TaskDefinition", "backend-task").inputs
        .containerDefinitions,
    )[0];
    assert.equal(
      task.repositoryCredentials.credentialsParameter,
      "arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/helloagents/ghcr-pull-AbCdEf",
    );
    assert.match(task.image, /^ghcr\.io\/acme\/backend@sha256:/);
  });

  it("gives each application's deploy role one trust: its repository's environment, through the platform's workflows at the pinned commit", () => {
    assert.deepEqual(Object.keys(evaluations.production.outputs.applicationRoleArns as object).sort(), [
      "berrys",
      "company-app",
      "helloagents",
      "orders",
      "voiceassist",
    ]);
    const role = evaluations.production.get("aws:iam/role:Role", "app-helloagents");
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals;
    assert.deepEqual(trust["token.actions.githubusercontent.com:sub"], [
      `repo:acme/HelloAgents:environment:production:job_workflow_ref:${EXECUTOR}/build-image-ghcr.yml@${COMMIT}`,
      `repo:acme/HelloAgents:environment:production:job_workflow_ref:${EXECUTOR}/deploy-service.yml@${COMMIT}`,
      `repo:acme/HelloAgents:environment:production:job_workflow_ref:${EXECUTOR}/rollback-service.yml@${COMMIT}`,
    ]);
    const template = evaluations.staging
      .ofType(
        "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate",
      )
      .find((t) => t.inputs.repository === "HelloAgents");
    assert.deepEqual(template?.inputs.includeClaimKeys, ["repo", "context", "job_workflow_ref"]);
  });

  it("passes the policy pack with each environment's pack config (examples/seeds/policy/): no finding at any level", () => {
    for (const stack of SEED_STACKS) {
      const config = JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, "policy", `${stack}.json`), "utf8"));
      const gate = runGate(evaluations[stack].resources, config);
      assert.ok(gate.checks > 400, `${stack}: ${gate.checks} checks`);
      assert.deepEqual(
        gate.findings.map((f) => `${f.policy} ${f.resource}: ${f.message}`),
        [],
        stack,
      );
    }
  });

  it("trusts the pin it replaces too while a new executor commit rolls out, and only the new one after", async () => {
    const previous = "0123456789abcdef0123456789abcdef01234567";
    const github = { ...seedConfig("staging").github, previousExecutorCommit: previous };
    const moving = await evaluateStack(
      "staging",
      { "platform:github": github },
      { stackDir: SEEDS_DIR, account: SEED_ACCOUNTS.staging },
    );
    const subjects = (e: Evaluation) =>
      JSON.parse(e.get("aws:iam/role:Role", "app-berrys").inputs.assumeRolePolicy).Statement[0].Condition
        .StringEquals["token.actions.githubusercontent.com:sub"] as string[];
    assert.equal(subjects(moving).length, 6);
    assert.ok(
      subjects(moving).includes(
        `repo:acme/Berrys_AgentsV2:environment:staging:job_workflow_ref:${EXECUTOR}/deploy-service.yml@${previous}`,
      ),
    );
    assert.deepEqual(
      subjects(evaluations.staging).filter((s) => s.endsWith(previous)),
      [],
    );
  });

  it("renders the platform's own repository with the executor every application calls, and no build of its own", () => {
    const files = seedPlatformFiles();
    for (const file of [
      "build-image.yml",
      "build-image-ghcr.yml",
      "deploy-service.yml",
      "rollback-service.yml",
    ])
      assert.ok(files[`.github/workflows/${file}`], file);
    assert.equal(files[".github/workflows/build-deploy.yml"], undefined);
    const access = evaluations.dev.ofType(
      "github:index/actionsRepositoryAccessLevel:ActionsRepositoryAccessLevel",
    );
    assert.deepEqual(
      access.map((a) => a.inputs.accessLevel),
      ["organization"],
    );
  });
});
