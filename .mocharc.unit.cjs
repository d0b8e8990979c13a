// `npm run test:unit`: the test files that need no native tool and no server (dev/test/tiers.cjs
// decides which), for a loop of seconds. `npm test` runs every file (.mocharc.json).
"use strict";
const { unitTestFiles } = require("./dev/test/tiers.cjs");

// A quarter of the property suite's fixed budget (same seed): the full suite runs all of it.
process.env.PROPERTY_RUNS ??= "0.25";

module.exports = {
  require: ["ts-node/register/transpile-only"],
  extension: ["ts"],
  spec: unitTestFiles(),
  timeout: 20000,
  reporter: "dot",
  // Two workers, one per core: each file evaluates the stacks it needs in its own process.
  parallel: true,
  jobs: 2,
};
