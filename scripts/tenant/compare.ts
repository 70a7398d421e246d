/**
 * Field-by-field comparison of what `tenants/` declares with what a tenant holds. Only declared
 * fields count: a tenant has many more (defaults, fields Auth0 adds), and those are not drift.
 */
import type { TenantAssets } from "./desired";

export interface Difference {
  /** Where, e.g. `tenant.support_email`, `databases[Username-Password-Authentication].options.passwordPolicy`. */
  path: string;
  expected: unknown;
  /** `undefined`: the field (or object) is missing in the tenant. */
  actual: unknown;
}

export function diffAssets(desired: TenantAssets, live: TenantAssets): Difference[] {
  const out: Difference[] = [];
  for (const key of ["tenant", "branding"] as const) {
    if (desired[key] !== undefined) diffValue(key, desired[key], live[key], out);
  }
  diffList("databases", "name", desired.databases, live.databases, out);
  diffList("emailTemplates", "template", desired.emailTemplates, live.emailTemplates, out);
  return out;
}

function diffList<K extends string>(
  section: string,
  key: K,
  desired: Array<Record<string, unknown> & Record<K, string>> | undefined,
  live: Array<Record<string, unknown>> | undefined,
  out: Difference[],
): void {
  for (const item of desired ?? []) {
    const name = item[key];
    const found = (live ?? []).find((l) => l[key] === name);
    const where = `${section}[${name}]`;
    if (!found) out.push({ path: where, expected: "present", actual: undefined });
    else diffValue(where, item, found, out);
  }
}

/** Objects recurse into their declared keys; arrays and scalars must be equal as a whole. */
function diffValue(path: string, expected: unknown, actual: unknown, out: Difference[]): void {
  if (isPlainObject(expected) && Object.keys(expected).length > 0) {
    if (!isPlainObject(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    for (const [key, value] of Object.entries(expected))
      diffValue(`${path}.${key}`, value, actual[key], out);
    return;
  }
  if (!deepEqual(expected, actual)) out.push({ path, expected, actual });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** One line per difference; values as JSON, long ones cut (email bodies). */
export function formatDifferences(differences: Difference[]): string {
  const show = (v: unknown) => {
    if (v === undefined) return "(missing)";
    const text = JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  return differences
    .map((d) => `  ${d.path}: expected ${show(d.expected)}, found ${show(d.actual)}`)
    .join("\n");
}
