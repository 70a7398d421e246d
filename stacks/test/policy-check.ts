/** Every CrossGuard policy run over what a stack test's program registered, called directly. */
import type { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "../../infra/policy/policies";
import { records, unwrap } from "./harness";

/** Runs every CrossGuard policy over the recorded resources (inputs as props). */
export function policyViolations(): string[] {
  const found: string[] = [];
  const resources = records.map((r) => ({
    type: r.type,
    name: r.name,
    urn: `urn:pulumi:test::astral::${r.type}::${r.name}`,
    props: unwrap(r.inputs) as Record<string, unknown>,
  }));
  for (const policy of resourcePolicies) {
    const validate = policy.validateResource;
    for (const resource of resources) {
      for (const v of Array.isArray(validate) ? validate : [validate]) {
        v?.(resource as unknown as ResourceValidationArgs, (m) =>
          found.push(`${policy.name}: ${m}`),
        );
      }
    }
  }
  for (const policy of stackPolicies) {
    policy.validateStack({ resources } as unknown as StackValidationArgs, (m) =>
      found.push(`${policy.name}: ${m}`),
    );
  }
  return found;
}
