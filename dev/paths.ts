/** Where the development tools find things, relative to the repository root, in one place. */
import * as path from "path";
import { ROOT } from "../src/config/stack-files";

export { ROOT };
/**
 * Native tools built by `dev/tools/setup.sh` (git-ignored). TOOLS_BIN overrides it for copies of
 * the repository without them (npm run mutation's sandbox).
 */
export const TOOLS_BIN = process.env.TOOLS_BIN ?? path.join(ROOT, ".tools", "bin");
/**
 * The scanners' venv (zizmor, checkov) `dev/tools/setup.sh` installs (git-ignored); SCANNERS_BIN
 * overrides it as TOOLS_BIN does.
 */
export const SCANNERS_BIN = process.env.SCANNERS_BIN ?? path.join(ROOT, ".tools", "scanners", "bin");
/** What the scanners are told to leave alone, each with its reason: zizmor's and checkov's configs. */
export const ZIZMOR_CONFIG = path.join(ROOT, "zizmor.yml");
export const CHECKOV_CONFIG = path.join(ROOT, ".checkov.yml");
/** The committed copy of the stack outputs contract. */
export const CONTRACT_FILE = path.join(ROOT, "dev", "contract", "outputs.json");
/** The committed benchmark figures the README table is generated from. */
export const BENCH_RESULTS = path.join(ROOT, "dev", "bench", "results.json");
export const README = path.join(ROOT, "README.md");
export const POLICY_CONFIG_DIR = path.join(ROOT, "policy", "config");
export const BOOTSTRAP_DIR = path.join(ROOT, "bootstrap");
