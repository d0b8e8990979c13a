import { strict as assert } from "assert";
import { evaluateExpression } from "../helpers/expressions";
import * as path from "path";
import YAML from "yaml";
import { parseStackConfig, PROJECT } from "../../src/config";
import { projectConfigValues, readStackConfig, toRuntimeConfig } from "../../src/config/stack-files";
import { deliveryFiles, requiredChecks } from "../../src/workflows";
import { DeliveryContext } from "../../src/workflows/context";
import { assertActionlintClean } from "../helpers/actionlint";
import { contextFor } from "../helpers/context";
import { seedPlatformFiles, seedRepositories } from "../helpers/seeds";

const parsed = (ctx: DeliveryContext) =>
  Object.fromEntries(
    Object.entries(deliveryFiles(ctx))
      .filter(([p]) => p.endsWith(".yml"))
      .map(([p, c]) => [
        path.basename(p === ".github/actions/db-migrate/action.yml" ? "db-migrate" : p, ".yml"),
        YAML.parse(c),
      ]),
  );

describe("generated workflows", () => {
  it("gives the platform code to the configured teams in CODEOWNERS, and requires such teams of the owning stack", () => {
    const owners = deliveryFiles(contextFor("dev"))[".github/CODEOWNERS"].split("\n");
    assert.ok(owners.includes("/policy/ @acme-shop/platform-leads"));
    assert.ok(owners.includes("/.github/ @acme-shop/platform-leads"));
    const runtime = toRuntimeConfig(readStackConfig("dev"));
    const values = projectConfigValues(runtime, PROJECT);
    (values.github as { codeOwners: string[] }).codeOwners = [];
    assert.throws(
      () => parseStackConfig("dev", values, "eu-west-1"),
      /platform:github\.codeOwners: got \[\]; at least one team slug: branch protection requires code-owner reviews/,
    );
  });

  for (const model of ["gitflow", "trunk"] as const) {
    describe(`under the ${model} branch model`, () => {
      // Rendered before each test, not once at load: under mutation testing a mutant is switched on
      // after the files load, and a rendering made earlier would hide it.
      let ctx: DeliveryContext;
      let files: Record<string, string>;
      let wf: ReturnType<typeof parsed>;
      beforeEach(() => {
        ctx = contextFor("dev", model);
        files = deliveryFiles(ctx);
        wf = parsed(ctx);
      });

      it("passes actionlint with zero findings on every file", () => {
        assert.equal(Object.keys(files).filter((p) => p.startsWith(".github/workflows/")).length, 12);
        assertActionlintClean(files);
      });

      it("starts every workflow with no token permissions and pins every third-party action to a commit", () => {
        for (const [name, doc] of Object.entries(wf)) {
          if (name === "db-migrate") continue;
          assert.deepEqual(doc.permissions, {}, name);
          for (const job of Object.values<any>(doc.jobs)) {
            for (const step of job.steps ?? []) {
              if (step.uses && !step.uses.startsWith("./"))
                assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${name}: ${step.uses}`);
              if (String(step.uses ?? "").startsWith("actions/checkout@"))
                assert.equal(step.with["persist-credentials"], false);
              assert.doesNotMatch(
                String(step.run ?? ""),
                /\$\{\{\s*(inputs|github\.event|github\.head_ref)/,
                `${name}: untrusted expression inline in run`,
              );
            }
          }
        }
      });

      it("keeps version comments next to the pinned SHAs", () => {
        assert.match(
          files[".github/workflows/ci.yml"],
          /uses: actions\/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4\.2\.2/,
        );
      });

      it("runs CI on pull requests to the integration branches and on pushes not already checked by an up-to-date pull request", () => {
        const branches = model === "gitflow" ? ["develop", "main"] : ["main"];
        const pushed = model === "gitflow" ? ["hotfix/**"] : ["**", "!main"];
        const pullRequests = model === "gitflow" ? [...branches, "release/**"] : branches;
        assert.deepEqual(wf.ci.on, { pull_request: { branches: pullRequests }, push: { branches: pushed } });
        assert.deepEqual(wf.ci.concurrency, { group: "ci-${{ github.ref }}", "cancel-in-progress": true });
        assert.deepEqual(wf.ci.jobs.unit.strategy.matrix.node, ["20", "22"]);
        assert.equal(wf.ci.jobs.contract.steps.at(-1).run, "npm run test:contract");
      });

      it("runs an integration job only with service containers configured, and then with their URLs", () => {
        assert.equal(wf.ci.jobs.integration, undefined);
        const withContainers = parsed({ ...ctx, integrationServices: ["postgres", "redis"] });
        const job = withContainers.ci.jobs.integration;
        assert.deepEqual(Object.keys(job.services), ["postgres", "redis"]);
        assert.deepEqual(Object.keys(job.env), ["DATABASE_URL", "REDIS_URL"]);
        assert.equal(job.steps.at(-1).run, "npm run test:integration");
      });

      it("applies infrastructure per stack in promotion order, production from release tags behind its environment", () => {
        const jobs = wf["infra-up"].jobs;
        assert.equal(jobs["up-production"].environment, "production");
        // The ref decides in the stack's runner job; up follows it (and its bootstrap, when one runs).
        assert.equal(jobs["runner-production"].if, "startsWith(github.ref, 'refs/tags/v')");
        assert.equal(
          jobs["up-production"].if,
          "!cancelled() && needs.runner-production.result == 'success' && needs.bootstrap-production.result != 'failure'",
        );
        if (model === "gitflow") {
          assert.equal(jobs["runner-dev"].if, "github.ref == 'refs/heads/develop'");
          assert.deepEqual(jobs["up-staging"].needs, ["runner-staging", "bootstrap-staging"]);
        } else {
          assert.equal(jobs["runner-dev"].if, "github.ref == 'refs/heads/main'");
          assert.deepEqual(jobs["up-staging"].needs, ["up-dev", "runner-staging", "bootstrap-staging"]);
          assert.equal(
            jobs["up-staging"].if,
            "!cancelled() && needs.up-dev.result == 'success' && needs.runner-staging.result == 'success' && needs.bootstrap-staging.result != 'failure'",
          );
        }
        const names = jobs["up-dev"].steps.map((s: any) => s.name);
        assert.ok(
          names.indexOf("Export the stack state before changing it") <
            names.indexOf("pulumi up with the policy pack"),
        );
      });

      it("previews every stack on pull requests in the read-only preview environment", () => {
        const jobs = wf["infra-preview"].jobs;
        assert.deepEqual(Object.keys(jobs), ["preview-dev", "preview-staging", "preview-production"]);
        assert.equal(jobs["preview-staging"].environment, "preview");
        assert.equal(
          jobs["preview-staging"].if,
          "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
          "a fork's pull request never reaches the stack's (possibly self-hosted) runner",
        );
        assert.deepEqual(
          jobs["preview-staging"].steps.find((s: any) => s.uses?.startsWith("actions/setup-node")).with,
          { "node-version": ctx.nodeVersions[0], "package-manager-cache": false },
          "no npm cache in a job holding an OIDC token",
        );
        assert.deepEqual(jobs["preview-staging"].permissions, {
          contents: "read",
          "id-token": "write",
          "pull-requests": "write",
        });
        assert.equal(
          jobs["preview-staging"].steps[4].with["role-to-assume"],
          "${{ vars.AWS_PREVIEW_ROLE_ARN_STAGING }}",
        );
      });

      it("builds each service once, deploys it through the reusable workflow, and releases tags without building", () => {
        const bd = wf["build-deploy"].jobs;
        assert.equal(bd["build-api"].uses, "./.github/workflows/build-image.yml");
        assert.deepEqual(
          bd["deploy-orders-staging"].needs,
          model === "gitflow" ? ["build-orders"] : ["build-orders", "deploy-orders-dev"],
        );
        assert.equal(bd["deploy-orders-staging"].secrets, undefined);
        assert.deepEqual(wf.release.on, { push: { tags: ["v*.*.*"] } });
        assert.deepEqual(Object.keys(wf.release.jobs), [
          "verify-api",
          "release-api-production",
          "verify-web",
          "release-web-production",
          "verify-orders",
          "release-orders-production",
          "verify-payments",
          "release-payments-production",
        ]);
        assert.equal(JSON.stringify(wf.release).includes("build-image"), false);
        // Each architecture on its own native runner, pushed by digest; one job tags the index of both.
        const images = wf["build-image"].jobs;
        for (const [arch, runner] of [
          ["amd64", "ubuntu-24.04"],
          ["arm64", "ubuntu-24.04-arm"],
        ]) {
          const job = images[`build-${arch}`];
          assert.equal(job["runs-on"], runner);
          const build = job.steps.find((s: any) => String(s.uses).startsWith("docker/build-push-action"));
          assert.equal(build.with.platforms, `linux/${arch}`);
          assert.equal(build.with.provenance, "mode=max");
          assert.match(build.with.outputs, /push-by-digest=true/);
        }
        assert.equal(JSON.stringify(images).includes("setup-qemu-action"), false);
        assert.deepEqual(images.build.needs, ["build-amd64", "build-arm64"]);
        // Each architecture job runs when the caller asks for it; the index job after the ones that ran.
        assert.equal(images["build-arm64"].if, "contains(fromJSON(inputs.architectures), 'arm64')");
        assert.equal(images.build.if, "${{ !cancelled() && !contains(needs.*.result, 'failure') }}");
        assert.equal(images.build.env.DIGEST_ARM64, "${{ needs.build-arm64.outputs.digest }}");
        // The committed repository is private: its services build amd64 alone.
        assert.equal(bd["build-api"].with.architectures, '["amd64"]');
      });

      it("never lets a pull request's code run with a production stack's credentials", () => {
        const onPullRequests = Object.entries(wf).filter(([, w]) => w.on?.pull_request);
        assert.deepEqual(onPullRequests.map(([n]) => n).sort(), ["ci", "infra-preview", "security"]);
        const prJobs = onPullRequests.flatMap(([n, w]) =>
          Object.entries<any>(w.jobs)
            .filter(([, j]) => j.if !== "github.event_name == 'push'")
            .map(([id, j]) => ({ id: `${n}/${id}`, environment: j.environment, stack: j.env?.STACK })),
        );
        const withCredentials = prJobs.filter((j) => j.environment !== undefined);
        assert.deepEqual(
          withCredentials.map((j) => `${j.id} ${j.environment}`),
          ["infra-preview/preview-dev preview", "infra-preview/preview-staging preview"],
        );
        const production = wf["infra-preview"].jobs["preview-production"];
        assert.deepEqual(
          [production.if, production.environment],
          ["github.event_name == 'push'", "preview-production"],
        );
        assert.deepEqual(wf["infra-preview"].on.push.branches, ["main"]);
        assert.equal(
          production.steps.some((s: any) => /gh pr comment/.test(String(s.run))),
          false,
        );
        assert.equal(wf.drift.jobs["drift-production"].environment, "preview-production");
        assert.equal(wf.drift.jobs["drift-staging"].environment, "preview");
      });

      it("leaves a failed release to the executor, which restores it, and notifies Slack whatever the outcome", () => {
        const steps = wf["deploy-service"].jobs.deploy.steps;
        const release = steps.find((s: any) => s.id === "release");
        assert.equal(
          release.run,
          'npm run -s release -- deploy --stack "$STACK" --service "$SERVICE" --digest "$DIGEST"',
        );
        assert.equal(
          steps.some((s: any) => /rollback/.test(String(s.run))),
          false,
          "no rollback from a record in the runner's temp directory",
        );
        assert.equal(steps.find((s: any) => s.name === "Notify Slack").if, "always()");
      });

      it("queues every job that changes a stack in that stack's one group, across every workflow, never cancelling", () => {
        // Each (workflow, job) that runs `pulumi up` or the release executor, with the inputs it runs
        // with and the stack it then changes: a service's application stack (`<application>-<stack>`)
        // where it has one, else the platform stack.
        const writers: {
          where: string;
          inputs: Record<string, string>;
          changes: string;
          concurrency: any;
        }[] = [];
        const changes = (job: any) =>
          (job.steps ?? []).some((st: any) =>
            /^(pulumi up|npm run -s release -- (deploy|rollback|restore)) /m.test(String(st.run)),
          );
        const called = wf["deploy-service"].jobs.deploy;
        const applicationOf: Record<string, string> = {};
        for (const w of Object.values(wf))
          for (const job of Object.values<any>(w.jobs ?? {}))
            if (job.uses === "./.github/workflows/deploy-service.yml" && job.with.application)
              applicationOf[job.with.service] = job.with.application;
        const stackOf = (service: string | undefined, stack: string) =>
          service && applicationOf[service] ? `${applicationOf[service]}-${stack}` : stack;
        for (const [name, w] of Object.entries(wf)) {
          for (const [id, job] of Object.entries<any>(w.jobs ?? {})) {
            if (job.uses === "./.github/workflows/deploy-service.yml")
              writers.push({
                where: `${name}/${id}`,
                inputs: { application: "", ...job.with },
                changes: stackOf(job.with.service, job.with.stack),
                concurrency: called.concurrency,
              });
            else if (job.uses === "./.github/workflows/rollback-service.yml") {
              const dispatch = w.on.workflow_dispatch.inputs;
              for (const stack of dispatch.stack.options as string[])
                for (const service of dispatch.service.options as string[]) {
                  const inputs = { stack, service };
                  const application = job.with.application
                    ? String(evaluateExpression(job.with.application.slice(3, -2), { inputs }))
                    : "";
                  writers.push({
                    where: `${name}/${id}`,
                    inputs: { stack, application },
                    changes: stackOf(service, stack),
                    concurrency: wf["rollback-service"].jobs.rollback.concurrency,
                  });
                }
            } else if (changes(job) && name !== "deploy-service" && name !== "rollback-service") {
              const stacks: string[] =
                job.env.STACK === "${{ inputs.stack }}"
                  ? w.on.workflow_dispatch.inputs.stack.options
                  : [job.env.STACK];
              const services: (string | undefined)[] = w.on.workflow_dispatch?.inputs?.service?.options ?? [
                undefined,
              ];
              for (const stack of stacks)
                for (const service of services)
                  writers.push({
                    where: `${name}/${id}`,
                    inputs: { stack, ...(service ? { service } : {}) },
                    changes: job.env.SERVICE ? stackOf(service, stack) : stack,
                    concurrency: job.concurrency,
                  });
            }
          }
        }
        assert.deepEqual([...new Set(writers.map((x) => x.where.split("/")[0]))].sort(), [
          "build-deploy",
          "infra-up",
          "release",
          "rollback",
        ]);
        const rendered = (group: string, inputs: Record<string, string>) =>
          group.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(evaluateExpression(e, { inputs })));
        for (const x of writers)
          assert.deepEqual(
            { ...x.concurrency, group: rendered(String(x.concurrency?.group), x.inputs) },
            { group: `pulumi-${x.changes}`, "cancel-in-progress": false, queue: "max" },
            `${x.where} ${JSON.stringify(x.inputs)}`,
          );
        for (const name of [
          "build-deploy",
          "infra-up",
          "release",
          "rollback",
          "deploy-service",
          "rollback-service",
        ])
          assert.equal(
            wf[name].concurrency,
            undefined,
            `${name} has a workflow-level group that would cancel waiting runs`,
          );
      });

      it("rolls one service of one stack back on demand, in that stack's environment, with the release executor", () => {
        const rb = wf.rollback;
        const inputs = rb.on.workflow_dispatch.inputs;
        assert.deepEqual(
          inputs.service.options,
          ctx.services.map((s) => s.name),
        );
        assert.deepEqual(inputs.stack.options, ["dev", "staging", "production"]);
        assert.equal(inputs.to.default, "previous");
        const call = rb.jobs.rollback;
        assert.equal(call.uses, "./.github/workflows/rollback-service.yml");
        // Each stack's environment, spelled out per stack (no index into a computed object).
        const envOf = (stack: string) =>
          evaluateExpression(/^\$\{\{ (.*) \}\}$/.exec(call.with.environment)![1], { inputs: { stack } });
        assert.deepEqual(["dev", "staging", "production", "qa"].map(envOf), [
          "development",
          "staging",
          "production",
          "",
        ]);
        assert.doesNotMatch(call.with.environment, /fromJSON/);
        assert.deepEqual(call.permissions, { contents: "read", "id-token": "write", deployments: "write" });
        assert.equal(call.with.to, "${{ inputs.to }}");
        const job = wf["rollback-service"].jobs.rollback;
        assert.equal(job.environment.name, "${{ inputs.environment }}");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", deployments: "write" });
        const mark = job.steps.find(
          (s: any) => s.name === "Mark the service's latest deployment here as rolled back",
        );
        assert.match(mark.run, /deployments\?environment=\$ENVIRONMENT&task=deploy:\$SERVICE&per_page=1/);
        assert.match(mark.run, /-f state=failure/);
        assert.equal(mark.env.ENVIRONMENT, job.environment.name);
        const runs = job.steps.map((s: any) => s.run).filter(Boolean);
        assert.ok(
          runs.includes('npm run -s release -- rollback --stack "$STACK" --service "$SERVICE" --to "$TO"'),
        );
        assert.equal(job.steps.at(-1).name, "Notify Slack");
        assert.equal(job.steps.at(-1).if, "always()");
        assert.equal(
          job.steps.find((s: any) => s.uses?.startsWith("actions/setup-node")).with.cache,
          undefined,
          "no cache in a job a release tag can run",
        );
      });
    });
  }

  describe("of the seed teams' own repositories (examples/seeds)", () => {
    const repos = seedRepositories();
    for (const [name, repo] of Object.entries(repos))
      it(`pass actionlint with zero findings in ${repo.ctx.owner}/${repo.ctx.repository} (${name})`, () =>
        assertActionlintClean(repo.files));
    it("pass actionlint with zero findings in the platform's own repository there", () =>
      assertActionlintClean(seedPlatformFiles()));
  });

  it("derives the required status checks from the CI and security job names", () => {
    assert.deepEqual(requiredChecks(contextFor("dev")), [
      "ci-passed",
      "trivy-fs",
      "secret-scan",
      "dependency-audit",
    ]);
  });
});
