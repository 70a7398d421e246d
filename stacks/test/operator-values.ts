/**
 * What an operator types into a committed stack file before the first deploy (docs/deploy.md §2,
 * "Edit them"): their own values in place of the `REPLACE_WITH_...` placeholders and of the docs'
 * examples (acme.example, the acme tenants and organization), which the config schema refuses.
 * The tests that start from the committed files (the rehearsal, the stack files' own test, the
 * preview config) edit them this way, as a user would.
 */
import { isPlaceholder } from "../config";
import { exampleValueProblem } from "../examples";

/** The operator's organization (`<org>` in the docs). */
export const OPERATOR_ORG = "northwind";

/** Per key, what the operator sets; `<stack>` stands for the stack's short name. */
const VALUES: Record<string, string> = {
  auth0Domain: "northwind-<stack>.eu.auth0.com",
  auth0ClientId: "<stack>BootstrapClientId0123",
  adminEmail: "platform@northwind-traders.dev",
  domainName: "portal.<stack>.northwind-traders.dev",
  hostedZoneId: "Z0123456789ABC",
  previewDomain: "previews.northwind-traders.dev",
  apiIdentifier: "https://api.northwind-traders.dev/",
  sandboxStack: `${OPERATOR_ORG}/astral/sandbox`,
};

/** Keys a promotion pins (`npm run promote -- prepare`), never edited by hand. */
const PINNED = new Set(["imageDigest", "imageRepository"]);

/** `value` as the operator leaves it: replaced when it is a placeholder or an example. */
export function operatorValue(stack: string, key: string, value: string): string {
  const edit = VALUES[key];
  if (PINNED.has(key) || !edit) return value;
  if (!isPlaceholder(value) && !exampleValueProblem(key, value)) return value;
  return edit.replaceAll("<stack>", stack);
}

/** A stack file's text with every `astral:<key>: <value>` line edited by `operatorValue`. */
export function operatorEditedStackFile(stack: string, text: string): string {
  return text.replace(
    /^(\s+astral:(\w+): )(.*)$/gm,
    (_line, prefix: string, key: string, value: string) =>
      `${prefix}${operatorValue(stack, key, value)}`,
  );
}
