// Lint rules that keep Pulumi programs honest: no floating promises (a lost promise is a lost
// resource), and no Output inside a template literal (it renders "Calling [toString] on an Output").
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

/** The CI command-line tools and the code that drives the engine and processes from a job. */
const CI_TOOL_IMPORTS = {
  regex:
    "(^|/)(release/(cli|verify-cli|executor|pulumi-cli|pulumi-inline|port-forward|process)|operations/dora-cli|stack/runner-cli)$",
  message:
    "a CI command-line tool or the engine- and process-driving code of a job: the program and its libraries must not load it (it would run in every preview and up)",
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "**/node_modules/**",
      "bin/**",
      ".tools/**",
      "scratch/**",
      "dev/bench/out/**",
      ".policy-pack/**",
      "dev/mutation/.tmp/**",
      "dev/mutation/reports/**",
      "eslint.config.mjs",
      // Each service lints itself, with its own toolchain, in its own ci.yml job.
      "services/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The few CommonJS files tools load as they are (mocha's config and what it requires).
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@pulumi/no-output-in-template-literal": "error",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // One direction in the house: the program (what `pulumi up` loads) and the libraries never
    // import the CI command-line tools or the code that drives the engine and processes from a
    // job; test/stack/program-modules.test.ts lists what the programs load.
    files: [
      "src/components/**/*.ts",
      "src/config/**/*.ts",
      "src/lib/**/*.ts",
      "src/stack/**/*.ts",
      "src/workflows/**/*.ts",
    ],
    ignores: ["src/stack/runner-cli.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [CI_TOOL_IMPORTS],
        },
      ],
    },
  },
  {
    // The config area files take the problem vocabulary from its leaf, never from the rule list
    // that imports them: that import closes a ring (test/architecture/module-graph.test.ts).
    files: ["src/config/**/*.ts"],
    ignores: ["src/config/rules.ts", "src/config/validate.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [CI_TOOL_IMPORTS],
          paths: [
            {
              name: "./rules",
              message:
                "import ConfigProblem, ConfigRule and keyOf from ./problem: rules.ts imports this file, so importing it back closes the config ring",
            },
          ],
        },
      ],
    },
  },
);
