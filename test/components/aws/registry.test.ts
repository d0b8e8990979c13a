import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

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
});
