import { strict as assert } from "assert";
import YAML from "yaml";
// The config modules first: src/config and src/workflows import each other (a known ring).
import { contextFor } from "../helpers/context";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { deliveryFiles } from "../../src/workflows";
import { readStackConfig } from "../../src/config/stack-files";
import { evaluateStack } from "../../dev/harness/program";

const CREDENTIALS = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr/pull-AbCdEf";

describe("private GHCR packages, end to end", function () {
  this.timeout(60000);
  const eks = readStackConfig("dev")["platform:eks"] as { addons?: { images?: object } };
  const ghcr = {
    "platform:registry": { kind: "ghcr", ghcrOwner: "acme-shop", pullCredentialsSecretArn: CREDENTIALS },
    "platform:kubernetes": { secretStore: "aws-secrets-manager" },
    // The store's operator, mirrored into dev's account (the config requires it by name).
    "platform:eks": {
      ...eks,
      addons: {
        images: {
          ...eks.addons?.images,
          externalSecrets:
            "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/external-secrets:v1.3.2@sha256:25a4a3902a4619f919297844e525f66e5aff6e813adc1ae070a81a79be15cac8",
        },
      },
    },
  };

  it("ECS tasks pull with the credential, and only their agent may read it", async () => {
    const e = await evaluateStack("dev", ghcr);
    const task = e.get("aws:ecs/taskDefinition:TaskDefinition", "payments-task");
    const [container] = JSON.parse(task.inputs.containerDefinitions);
    assert.deepEqual(container.repositoryCredentials, { credentialsParameter: CREDENTIALS });
    assert.match(container.image, /^ghcr\.io\/acme-shop\/payments@sha256:/);
    const policy = JSON.parse(e.get("aws:iam/rolePolicy:RolePolicy", "payments-execution").inputs.policy);
    assert.deepEqual(
      policy.Statement.find((s: any) => s.Sid === "ReadPullCredentials"),
      {
        Sid: "ReadPullCredentials",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: CREDENTIALS,
      },
    );
    assert.equal(
      policy.Statement.some((s: any) => s.Sid === "PullOwnImage"),
      false,
    );
  });

  it("EKS pods pull through a dockerconfigjson Secret the store syncs into their namespace", async () => {
    const e = await evaluateStack("dev", ghcr);
    const pull = e.get("kubernetes:external-secrets.io/v1:ExternalSecret", "api-registry-pull").inputs;
    assert.equal(pull.metadata.namespace, "api");
    assert.equal(pull.spec.target.template.type, "kubernetes.io/dockerconfigjson");
    assert.deepEqual(
      pull.spec.data.map((d: any) => `${d.secretKey} ${d.remoteRef.key} ${d.remoteRef.property}`),
      [`username ${CREDENTIALS} username`, `password ${CREDENTIALS} password`],
    );
    assert.match(
      pull.spec.target.template.data[".dockerconfigjson"],
      /^\{"auths":\{"ghcr\.io":\{"username":"\{\{ \.username \}\}"/,
    );
    for (const d of e.ofType("kubernetes:apps/v1:Deployment"))
      assert.deepEqual(
        d.inputs.spec.template.spec.imagePullSecrets,
        [{ name: `${d.inputs.metadata.namespace}-registry-pull` }],
        d.name,
      );
    // The store may read the credential from every namespace that pulls with it.
    const store = e.get("kubernetes:external-secrets.io/v1:ClusterSecretStore", "addons-secret-store").inputs
      .spec;
    assert.deepEqual([...store.conditions[0].namespaces].sort(), ["api", "orders", "web"]);
  });

  it("refuses a pull credential for ECR, and one EKS cannot sync without a secret store, by key", () => {
    const base = readStackConfig("dev");
    const problems = (overrides: Record<string, unknown>) => {
      try {
        stackConfigFromFile("dev", undefined, overrides);
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems.map((p) => `${p.key}: ${p.allowed}`);
      }
    };
    assert.ok(
      problems({
        "platform:registry": {
          ...(base["platform:registry"] as object),
          pullCredentialsSecretArn: CREDENTIALS,
        },
      }).includes(
        'platform:registry.pullCredentialsSecretArn: only with registry.kind "ghcr" (ECR pulls with the task and node roles)',
      ),
    );
    assert.ok(
      problems({ "platform:registry": ghcr["platform:registry"] }).some((p) =>
        p.startsWith(
          "platform:kubernetes.secretStore: a ClusterSecretStore name: EKS pods pull private GHCR images",
        ),
      ),
    );
  });

  it("release tags write the semver tag in one job per service holding packages: write; deploys only read", () => {
    const ctx = { ...contextFor("dev"), registryKind: "ghcr" as const, registryKinds: ["ghcr" as const] };
    const release = YAML.parse(deliveryFiles(ctx)[".github/workflows/release.yml"]);
    const tag = release.jobs["tag-api"];
    assert.deepEqual(tag.permissions, { contents: "read", packages: "write" });
    assert.deepEqual(tag.needs, ["verify-api", "release-api-production"]);
    assert.equal(tag.steps.at(-1).env.DIGEST, "${{ needs.verify-api.outputs.digest }}");
    const writers = Object.entries(release.jobs)
      .filter(([, j]: [string, any]) => j.permissions?.packages === "write")
      .map(([id]) => id)
      .sort();
    assert.deepEqual(writers, ctx.services.map((s) => `tag-${s.name}`).sort());
    const deploy = YAML.parse(deliveryFiles(ctx)[".github/workflows/deploy-service.yml"]).jobs.deploy;
    assert.equal(deploy.permissions.packages, "read");
  });
});
