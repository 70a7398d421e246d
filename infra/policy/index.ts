/**
 * The PolicyPack entry: `pulumi preview --policy-pack infra/policy`. Thin on purpose: creating a
 * PolicyPack starts a gRPC server, so tests import `./policies` and never this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("astral", { policies: [...resourcePolicies, ...stackPolicies] });
