// A Stryker ignorer: mutants inside documentation text are not run. Policy rules carry prose
// (summary, remediation, why, anchors, setting descriptions) that only the generated README
// tables show; `npm run docs:check` guards that text, not the unit tests, so its mutants would
// count as survivors that no behaviour test should kill.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const DOCUMENTATION = new Set(["summary", "remediation", "why", "anchors", "description"]);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "documentation-text", {
    shouldIgnore(path) {
      if (!path.isObjectProperty() || path.node.computed) return undefined;
      const key = path.node.key;
      const name =
        key.type === "Identifier" ? key.name : key.type === "StringLiteral" ? key.value : undefined;
      return name && DOCUMENTATION.has(name)
        ? `documentation text (${name}), checked by docs:check`
        : undefined;
    },
  }),
];
