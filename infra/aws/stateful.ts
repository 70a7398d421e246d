/**
 * Options for resources that hold state a `pulumi destroy` must not lose: images production may
 * still run, logs kept for audits, the secrets store entries. In long-lived stacks they are
 * protected (a destroy fails until someone unprotects them on purpose) and retained on delete
 * (a replacement or removal from the program leaves the cloud resource in place).
 * Preview stacks are throwaway: nothing is protected there.
 */
import type * as pulumi from "@pulumi/pulumi";

export function statefulOptions(retain: boolean): pulumi.CustomResourceOptions {
  return retain ? { protect: true, retainOnDelete: true } : {};
}
