/**
 * Test support for the API reference: the sample API (sample-api/) started against the harness's
 * Sandbox tenant, and the harness's portal.config.js given an `apis` entry for it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type SampleApi, startSampleApi } from "../../sample-api/server";
import type { PortalHarness } from "./support";

export const SAMPLE_OPENAPI = path.join(__dirname, "..", "openapi", "example-api.json");
export const SAMPLE_API_ID = "example";

/** The `apis` entry for the sample API at `baseUrl` (the document by absolute path). */
export function sampleApiEntry(audience: string, baseUrl: string) {
  return {
    id: SAMPLE_API_ID,
    title: "Example API",
    openapi: SAMPLE_OPENAPI,
    environments: {
      sandbox: { audience, baseUrl },
      production: { audience, baseUrl: "https://api.example.com" },
    },
  };
}

/** Adds `apis` to a config file written by writeTestConfig (a CommonJS object literal). */
export function addApisToConfig(configFile: string, apis: unknown[]): void {
  const source = readFileSync(configFile, "utf8");
  const json = source.replace(/^module\.exports = /, "").replace(/;\s*$/, "");
  const config = { ...(JSON.parse(json) as Record<string, unknown>), apis };
  writeFileSync(configFile, `module.exports = ${JSON.stringify(config)};`);
}

/** Starts the sample API for the harness's Sandbox tenant and configures the portal for it. */
export async function withSampleApi(h: PortalHarness): Promise<SampleApi> {
  const audience = h.env.seed.sandbox.exampleApi.identifier;
  const api = await startSampleApi({ tenantDomain: h.env.tenants.sandbox.domain, audience });
  addApisToConfig(h.configFile, [sampleApiEntry(audience, api.url)]);
  return api;
}
