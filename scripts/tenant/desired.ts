/**
 * What `tenants/` says a tenant should look like: `tenants/tenant.yaml` with the environment's
 * keywords replaced (by auth0-deploy-cli's own `keywordReplace`, so the values compared are the
 * values imported) and email template bodies read from their files.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "@astral/contract";
import { keywordReplace } from "auth0-deploy-cli/lib/tools/utils";
import { parse } from "yaml";
import { z } from "zod";
import { REPO_ROOT } from "../lib/stacks";

export const TENANTS_DIR = path.join(REPO_ROOT, "tenants");

export class TenantConfigError extends Error {
  override name = "TenantConfigError";
}

/** The parts of a tenant that `tenants/` manages, keyed the way auth0-deploy-cli's YAML is. */
export interface TenantAssets {
  tenant?: Record<string, unknown>;
  branding?: Record<string, unknown>;
  databases?: Array<Record<string, unknown> & { name: string }>;
  emailTemplates?: Array<Record<string, unknown> & { template: string }>;
}

/** A keyword's value; booleans become "true"/"false", which YAML reads back as booleans. */
const Keyword = z.union([
  z.string(),
  z.number(),
  z.boolean().transform(String),
  z.array(z.union([z.string(), z.number()])),
]);
const Mappings = z.record(
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "keywords are UPPER_SNAKE_CASE"),
  Keyword,
);
export type KeywordMappings = z.infer<typeof Mappings>;

export function parseEnvironment(value: string | undefined): Environment {
  if (!ENVIRONMENTS.includes(value as Environment)) {
    throw new TenantConfigError(
      `environment must be one of ${ENVIRONMENTS.join(", ")}, got "${value ?? ""}"`,
    );
  }
  return value as Environment;
}

/** Every `##KEY##` and `@@KEY@@` the template uses. */
export function keywordsIn(text: string): string[] {
  return [
    ...new Set(
      [...text.matchAll(/(?:##|@@)([A-Z][A-Z0-9_]*)(?:##|@@)/g)].map((m) => m[1] as string),
    ),
  ].sort();
}

/** The environment's keyword values; every keyword the template uses must have one, and no more. */
export function loadMappings(environment: Environment, dir = TENANTS_DIR): KeywordMappings {
  const file = path.join(dir, "environments", `${environment}.yaml`);
  if (!existsSync(file)) throw new TenantConfigError(`${file} does not exist`);
  const parsed = Mappings.safeParse(parse(readFileSync(file, "utf8")) ?? {});
  if (!parsed.success) throw new TenantConfigError(`${file}: ${z.prettifyError(parsed.error)}`);
  const used = keywordsIn(readFileSync(path.join(dir, "tenant.yaml"), "utf8"));
  const missing = used.filter((k) => !(k in parsed.data));
  const unused = Object.keys(parsed.data).filter((k) => !used.includes(k));
  if (missing.length > 0)
    throw new TenantConfigError(`${file} has no value for ${missing.join(", ")}`);
  if (unused.length > 0)
    throw new TenantConfigError(
      `${file} sets keywords tenant.yaml does not use: ${unused.join(", ")}`,
    );
  return parsed.data;
}

/** `tenants/tenant.yaml` for one environment, as auth0-deploy-cli will import it. */
export function loadDesired(mappings: KeywordMappings, dir = TENANTS_DIR): TenantAssets {
  const file = path.join(dir, "tenant.yaml");
  const text = keywordReplace(readFileSync(file, "utf8"), mappings);
  const left = keywordsIn(text);
  if (left.length > 0)
    throw new TenantConfigError(`${file}: keywords without a value: ${left.join(", ")}`);
  const assets = (parse(text) ?? {}) as TenantAssets;
  for (const template of assets.emailTemplates ?? []) {
    if (typeof template.body !== "string") continue;
    template.body = readFileSync(path.resolve(dir, template.body), "utf8");
  }
  return assets;
}
