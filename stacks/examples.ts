/**
 * The docs' and stack files' example values (the Acme organization, its `acme.example` names,
 * its `acme-sandbox` / `acme` tenants), refused as real config: a stack deployed with them would
 * request a certificate for a name nobody can validate, invite an admin nobody reads mail for, or
 * read another organization's sandbox stack. `.example` and example.com/.net/.org are reserved
 * for documentation (RFC 2606 §2-3), so no real deployment uses them; `.test` (reserved for
 * testing) is what the test fixtures use instead.
 */

/** The organization the docs and stack files use in their examples. */
export const EXAMPLE_ORG = "acme";

/** `example`, `*.example`, `example.com|net|org` and their subdomains (RFC 2606). */
const DOCUMENTATION_HOST = /(^|\.)(example|example\.com|example\.net|example\.org)$/;
/** The example tenants of Pulumi.sandbox.yaml and Pulumi.production.yaml, in any region. */
const EXAMPLE_TENANT = new RegExp(`^${EXAMPLE_ORG}(-sandbox)?\\.([a-z0-9-]+\\.)?auth0\\.com$`);

/** The host a key's value names, or undefined when the key names none. */
function hostOf(key: string, value: string): string | undefined {
  if (key === "auth0Domain" || key === "domainName" || key === "previewDomain") return value;
  if (key === "adminEmail") return value.split("@").at(-1);
  if (key === "apiIdentifier") return URL.canParse(value) ? new URL(value).hostname : undefined;
  return undefined;
}

/** Why `value` of `key` is an example rather than a real setting, or undefined when it is not. */
export function exampleValueProblem(key: string, value: string): string | undefined {
  const lower = value.toLowerCase();
  const host = hostOf(key, lower);
  if (host && DOCUMENTATION_HOST.test(host)) {
    return `is the docs' example "${value}" (${host.split(".").slice(-2).join(".")} is reserved for documentation, RFC 2606): set your own`;
  }
  if (key === "auth0Domain" && EXAMPLE_TENANT.test(lower)) {
    return `is the stack file's example tenant "${value}": set your own tenant's domain (Auth0 dashboard → Settings → Domain)`;
  }
  if (key === "sandboxStack" && lower.split("/")[0] === EXAMPLE_ORG) {
    return `is in the docs' example organization "${EXAMPLE_ORG}": set <your org>/astral/sandbox (pulumi org get-default)`;
  }
  return undefined;
}
