/**
 * `tenant apply` and `tenant drift`: auth0-deploy-cli import/export of `tenants/`, with the
 * checks the CLI does not make.
 *
 * - apply: import, then read the tenant back and compare it with `tenants/` field by field (the
 *   CLI's exit code alone is not proof: it has reported success on a 404), and check the
 *   Pulumi-owned clients and grants are exactly as before.
 * - drift: export the live tenant, compare it with `tenants/`, and check the contract (the Astral
 *   Backend's grant of exactly `backendScopes` of the kinds portal.config.js offers there).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { CredentialKind, Environment } from "@astral/contract";
import { parse } from "yaml";
import { offeredKindsOf } from "../../portal/lib/config/offer";
import { a0deploy } from "./a0deploy";
import { type Difference, diffAssets, formatDifferences } from "./compare";
import { deployConfig } from "./deploy-config";
import { loadDesired, loadMappings, TENANTS_DIR, type TenantAssets } from "./desired";
import {
  checkContract,
  managementClient,
  readManaged,
  snapshotPulumiOwned,
  type TenantCredentials,
} from "./management";

export class TenantApplyError extends Error {
  override name = "TenantApplyError";
}

export interface TenantRun {
  environment: Environment;
  credentials: TenantCredentials;
  /** The `tenants/` folder (tests point it at a copy). */
  dir?: string;
  /** The credential kinds the environment offers (default: the repository's portal.config.js). */
  credentialKinds?: readonly CredentialKind[];
}

function prepare(run: TenantRun) {
  const dir = run.dir ?? TENANTS_DIR;
  const mappings = loadMappings(run.environment, dir);
  const desired = loadDesired(mappings, dir);
  const config = deployConfig({
    domain: run.credentials.domain,
    clientId: run.credentials.clientId,
    mappings,
  });
  return { dir, desired, config, mgmt: managementClient(run.credentials) };
}

export async function applyTenant(run: TenantRun): Promise<{ output: string }> {
  const { dir, desired, config, mgmt } = prepare(run);
  const before = await snapshotPulumiOwned(mgmt);
  const output = await a0deploy(
    "import",
    ["--input_file", path.join(dir, "tenant.yaml")],
    config,
    run.credentials.clientSecret,
  );
  const after = await snapshotPulumiOwned(mgmt);
  if (!isDeepStrictEqual(before, after)) {
    throw new TenantApplyError(
      "a0deploy import changed Pulumi-owned clients or grants (it must never): check AUTH0_INCLUDED_ONLY",
    );
  }
  const differences = diffAssets(desired, await readManaged(mgmt, desired));
  if (differences.length > 0) {
    throw new TenantApplyError(
      `a0deploy import exited 0, but the ${run.environment} tenant does not match tenants/:\n${formatDifferences(differences)}`,
    );
  }
  return { output };
}

export async function driftTenant(run: TenantRun): Promise<Difference[]> {
  const { desired, config, mgmt } = prepare(run);
  const out = mkdtempSync(path.join(tmpdir(), "astral-export-"));
  try {
    await a0deploy(
      "export",
      ["--format", "yaml", "--output_folder", out],
      config,
      run.credentials.clientSecret,
    );
    const exported = loadExport(out);
    return [
      ...diffAssets(desired, exported),
      ...(await checkContract(
        mgmt,
        run.credentials.domain,
        run.credentialKinds ?? offeredKindsOf()[run.environment],
      )),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** An a0deploy YAML export (`tenant.yaml` + `emailTemplates/*.html`) as assets. */
export function loadExport(dir: string): TenantAssets {
  const assets = (parse(readFileSync(path.join(dir, "tenant.yaml"), "utf8")) ?? {}) as TenantAssets;
  for (const template of assets.emailTemplates ?? []) {
    if (typeof template.body === "string")
      template.body = readFileSync(path.resolve(dir, template.body), "utf8");
  }
  return assets;
}
