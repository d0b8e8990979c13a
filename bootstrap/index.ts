// Composition root of the bootstrap stack: validate, create the state backend, export its outputs.
import { buildStateBackend, loadBootstrapConfig } from "../src/bootstrap/program";

export = buildStateBackend(loadBootstrapConfig());
