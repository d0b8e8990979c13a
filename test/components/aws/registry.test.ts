import { strict as assert } from "assert";
import { Evaluation, mockKeyArn } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";
import { lifecyclePolicyDocument, Registry, RegistryArgs } from "../../../src/components/aws/registry";
import { ACCOUNT, evaluateComponent } from "../../helpers/components";

function registryArgs(overrides: Partial<RegistryArgs> = {}): RegistryArgs {
  return {
    services: ["api", "web"],
    kind: "ecr",
    prefix: "platform-dev",
    keepLastImages: 15,
    untaggedExpiryDays: 5,
    pullAccountIds: ["444444444444"],
    account: ACCOUNT,
    protect: true,
    ...overrides,
  };
}

describe("component", function () {
  this.timeout(60000);
  let dev: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
  });

  describe("Registry", () => {
    it("creates immutable, scanned, KMS-encrypted repositories named per stack", () => {
      const repo = dev.get("aws:ecr/repository:Repository", "registry-api");
      assert.equal(repo.inputs.name, "platform-dev/api");
      assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
      assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
      assert.equal(repo.inputs.encryptionConfigurations[0].encryptionType, "KMS");
    });

    it("expires untagged images first, then keeps the newest N", () => {
      const policy = JSON.parse(
        dev.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-api").inputs.policy,
      );
      assert.deepEqual(
        policy.rules.map((r: any) => [
          r.rulePriority,
          r.selection.tagStatus,
          r.selection.countType,
          r.selection.countNumber,
        ]),
        [
          [1, "untagged", "sinceImagePushed", 3],
          [2, "any", "imageCountMoreThan", 20],
        ],
      );
    });
  });
  describe("Registry built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(() => new Registry("reg", registryArgs()));
    });

    it("creates protected, immutable, scanned repositories that refuse a forced delete", () => {
      const repos = e.ofType("aws:ecr/repository:Repository").map((r) => ({
        name: r.inputs.name,
        mutability: r.inputs.imageTagMutability,
        scan: r.inputs.imageScanningConfiguration,
        forceDelete: r.inputs.forceDelete,
        protect: r.protect,
      }));
      const expected = (name: string) => ({
        name,
        mutability: "IMMUTABLE",
        scan: { scanOnPush: true },
        forceDelete: false,
        protect: true,
      });
      assert.deepEqual(repos, [expected("platform-dev/api"), expected("platform-dev/web")]);
    });

    it("encrypts images with its own rotated KMS key", () => {
      const repo = e.get("aws:ecr/repository:Repository", "reg-api").inputs;
      assert.deepEqual(repo.encryptionConfigurations, [
        { encryptionType: "KMS", kmsKey: mockKeyArn("reg-ecr") },
      ]);
      assert.equal(e.get("aws:kms/key:Key", "reg-ecr").inputs.enableKeyRotation, true);
    });

    it("lets only the named accounts pull, with pull actions only", () => {
      const [statement] = JSON.parse(
        e.get("aws:ecr/repositoryPolicy:RepositoryPolicy", "reg-api-pull").inputs.policy,
      ).Statement;
      assert.deepEqual(statement.Principal, { AWS: ["arn:aws:iam::444444444444:root"] });
      assert.deepEqual(statement.Action, [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
      ]);
    });

    it("lets a promotion target account's CI deploy role pull, beside the named pull accounts, in one policy", async () => {
      const e2 = await evaluateComponent(
        () => new Registry("reg", registryArgs({ promotionTargetAccountIds: ["333333333333"] })),
      );
      const statements = JSON.parse(
        e2.get("aws:ecr/repositoryPolicy:RepositoryPolicy", "reg-web-pull").inputs.policy,
      ).Statement;
      assert.deepEqual(
        statements.map((s: any) => s.Sid),
        ["NamedAccountsPull", "PromotionTargetsPull"],
      );
      assert.deepEqual(statements[1], {
        Sid: "PromotionTargetsPull",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::333333333333:root"] },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Condition: {
          ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::333333333333:role/platform-ci/ci-deploy-*"] },
        },
      });
    });

    it("creates no repository policy without pull accounts and nothing at all for GHCR", async () => {
      const none = await evaluateComponent(() => new Registry("reg", registryArgs({ pullAccountIds: [] })));
      assert.equal(none.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy").length, 0);
      let urls: Record<string, unknown> = {};
      const ghcr = await evaluateComponent(() => {
        urls = new Registry("reg", registryArgs({ kind: "ghcr", ghcrOwner: "Acme-Shop" })).repositoryUrls;
      });
      assert.deepEqual(
        ghcr.resources.filter((r) => r.custom),
        [],
      );
      assert.deepEqual(Object.keys(urls), ["api", "web"]);
    });

    it("refuses GHCR without an owner, by name", () => {
      assert.throws(
        () => new Registry("reg", registryArgs({ kind: "ghcr" })),
        /^Error: Registry reg: ghcrOwner is required when kind is "ghcr"$/,
      );
    });
  });

  describe("Registry lifecycle planner", () => {
    it("expires untagged images after the given days, then keeps the given count", () => {
      const table: [number, number][] = [
        [30, 7],
        [1, 1],
        [1000, 365],
      ];
      for (const [keep, days] of table) {
        const rules = JSON.parse(lifecyclePolicyDocument(keep, days)).rules;
        assert.deepEqual(
          rules.map((r: any) => [r.rulePriority, r.selection.tagStatus, r.selection.countNumber]),
          [
            [1, "untagged", days],
            [2, "any", keep],
          ],
        );
      }
    });
  });
});
