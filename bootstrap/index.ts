// Composition root of the bootstrap stack: validate, create the state backend, export its outputs.
import { buildStateBackend, loadBootstrapConfig } from "./program";

export = buildStateBackend(loadBootstrapConfig());
