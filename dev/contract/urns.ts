/**
 * The resource-identity contract: every URN each committed stack registers (platform stacks and
 * application stacks), one file per stack in dev/contract/urns/. A resource whose URN leaves the
 * list — renamed, re-parented, moved to another type — would be replaced (or deleted) on the next
 * `up` of every stack whose `protect` is off; a test fails until the change carries `aliases` (or
 * a state move) and the list is rewritten on purpose with `npm run contract:update`.
 */
import * as fs from "fs";
import * as path from "path";
import { Evaluation } from "../harness/evaluate";
import { evaluateApplicationStack, evaluatePlatformStack, APPS_DIR } from "../harness/program";
import { knownStacks, ROOT } from "../../src/config/stack-files";

export const URN_CONTRACT_DIR = path.join(ROOT, "dev", "contract", "urns");

/** The committed stacks: the platform's (the root's files) and the application stacks (apps/). */
export function contractStacks(): { project: "platform" | "apps"; stack: string }[] {
  return [
    ...knownStacks().map((stack) => ({ project: "platform" as const, stack })),
    ...knownStacks(APPS_DIR).map((stack) => ({ project: "apps" as const, stack })),
  ];
}

/** The sorted URNs of one evaluation. */
export const urnsOf = (e: Evaluation): string[] => [...new Set(e.resources.map((r) => r.urn))].sort();

/** Evaluates one committed stack as `pulumi up` would register it. */
export async function evaluateForContract(project: "platform" | "apps", stack: string): Promise<Evaluation> {
  return project === "platform"
    ? evaluatePlatformStack(stack)
    : (await evaluateApplicationStack(stack)).application;
}

export const contractFile = (project: string, stack: string) =>
  path.join(URN_CONTRACT_DIR, `${project}.${stack}.txt`);

/** The committed URNs of a stack; undefined when it has no file yet. */
export function committedUrns(project: string, stack: string): string[] | undefined {
  const file = contractFile(project, stack);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : undefined;
}
