import { strict as assert } from "assert";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { ACTIONS, imageRef, SERVICE_IMAGES } from "../../src/workflows/pins";
import { contextFor } from "../helpers/context";

const parse = (files: Record<string, string>, file: string) => YAML.parse(files[`.github/workflows/${file}`]);

describe("what the generated workflows pull and cache", () => {
  it("pulls every integration service container by the digest pinned beside the actions", () => {
    const ctx = contextFor("dev");
    const files = deliveryFiles({ ...ctx, integrationServices: ["postgres", "mysql", "redis", "mongodb"] });
    const services = parse(files, "ci.yml").jobs.integration.services;
    assert.deepEqual(Object.fromEntries(Object.entries<any>(services).map(([name, s]) => [name, s.image])), {
      postgres: `postgres:16-alpine@${SERVICE_IMAGES.postgres.digest}`,
      mysql: `mysql:8.4@${SERVICE_IMAGES.mysql.digest}`,
      redis: `redis:7-alpine@${SERVICE_IMAGES.redis.digest}`,
      mongodb: `mongo:7@${SERVICE_IMAGES.mongodb.digest}`,
    });
    for (const image of Object.values(SERVICE_IMAGES)) assert.match(imageRef(image), /@sha256:[0-9a-f]{64}$/);
  });

  it("scans the built image without trivy's cache, in the job that holds id-token: write and pushes", () => {
    const build = parse(deliveryFiles(contextFor("dev")), "build-image.yml").jobs.build;
    assert.equal(build.permissions["id-token"], "write");
    const scan = build.steps.find((s: any) => s.uses?.startsWith(`${ACTIONS.trivy.action}@`));
    assert.equal(scan.with.cache, false);
  });

  it("has every setup-node step either cache npm or turn setup-node's own package-manager cache off", () => {
    for (const model of ["gitflow", "trunk"] as const) {
      const files = deliveryFiles(contextFor("production", model));
      const steps = Object.keys(files)
        .filter((p) => p.startsWith(".github/workflows/"))
        .flatMap((p) =>
          Object.values<any>(YAML.parse(files[p]).jobs).flatMap((j) =>
            (j.steps ?? []).filter((s: any) => s.uses?.startsWith("actions/setup-node@")),
          ),
        );
      assert.ok(steps.length > 5);
      for (const s of steps)
        assert.ok(
          s.with.cache === "npm" || s.with["package-manager-cache"] === false,
          JSON.stringify(s.with),
        );
    }
  });
});
