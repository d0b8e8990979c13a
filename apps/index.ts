// Composition root of an application stack: its config and the platform stack's file (validated
// before any resource exists), the platform's outputs contract by StackReference, the workloads.
import { buildApplication, loadApplicationStack } from "../src/stack/application";

export = buildApplication(loadApplicationStack());
