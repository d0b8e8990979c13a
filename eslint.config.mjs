// Lint rules that keep Pulumi programs honest: no floating promises (a lost promise is a lost
// resource), and no Output inside a template literal (it renders "Calling [toString] on an Output").
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

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
);
