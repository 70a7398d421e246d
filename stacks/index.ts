/**
 * The Pulumi program's entry point (Pulumi.yaml `main: stacks/`). The config is parsed before any
 * resource is declared; the role it names declares everything; the module's exports are the
 * stack outputs.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { awsRegion, loadStackConfig } from "./load";
import { declareStack } from "./roles";

const { config, secrets } = loadStackConfig();

export = declareStack(config, secrets, {
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  region: awsRegion(),
  repoRoot: path.resolve(__dirname, ".."),
});
