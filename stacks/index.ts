/**
 * The Pulumi program's entry point (Pulumi.yaml `main: stacks/`). The config is parsed before any
 * resource is declared; the role it names declares everything; the module's exports are the
 * stack outputs.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { awsRegion, loadStackConfig } from "./load";
import { declareStack } from "./roles";

const { config, secrets, offer } = loadStackConfig();

export = declareStack(config, secrets, {
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  region: awsRegion(),
  // Relative to the directory Pulumi runs the program (and the docker-build provider) in, the
  // project root: docker-build compares the context's location string between runs, and an
  // absolute path (a laptop's, a CI runner's) would count as a change that rebuilds the image.
  repoRoot: path.relative(process.cwd(), path.resolve(__dirname, "..")) || ".",
  credentialKinds: offer,
});
