import { ManagementClient, ManagementError } from "auth0";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMAIL_PROVIDER_HANDLERS } from "../src/management/email-provider";
import { DEFAULT_DATABASE, TENANT_CONFIG_HANDLERS } from "../src/management/tenant-config";
import { readBootstrap } from "../src/seed";
import { type SeededTenants, startSeededTenants } from "../test-support";
import { call, managementToken, readOpenApi, responseChecker } from "./helpers";

let env: SeededTenants;
let mgmt: ManagementClient;
let backend: ManagementClient;

beforeAll(async () => {
  env = await startSeededTenants();
  const { domain } = env.seed.sandbox;
  const boot = readBootstrap(env.stateDir, "sandbox");
  mgmt = new ManagementClient({ domain, clientId: boot.clientId, clientSecret: boot.clientSecret });
  backend = new ManagementClient({
    domain,
    clientId: env.seed.sandbox.backend.clientId,
    clientSecret: env.seed.sandbox.backend.clientSecret,
  });
});
afterAll(() => env?.close());

async function failure(call: Promise<unknown>): Promise<{ status?: number; body?: unknown }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ManagementError) return { status: err.statusCode, body: err.body };
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("database connections", () => {
  it("starts with Auth0's default database; lists by strategy and name, with checkpoints", async () => {
    const all = await mgmt.connections.list({ strategy: ["auth0"] });
    expect(all.data.map((c) => c.name)).toEqual([DEFAULT_DATABASE]);
    expect((await mgmt.connections.list({ strategy: ["google-oauth2"] })).data).toEqual([]);
    const made = await mgmt.connections.create({ name: "partners", strategy: "auth0" });
    expect(made.id).toMatch(/^con_/);
    const first = await mgmt.connections.list({ take: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.hasNextPage()).toBe(true);
    expect((await mgmt.connections.list({ name: "partners" })).data.map((c) => c.id)).toEqual([
      made.id,
    ]);
    expect(
      (await failure(mgmt.connections.create({ name: "partners", strategy: "auth0" }))).status,
    ).toBe(409);
  });

  it("replaces options as a whole on PATCH, and keeps enabled clients apart", async () => {
    const db = (await mgmt.connections.list({ name: DEFAULT_DATABASE })).data[0];
    const id = db?.id as string;
    const patched = await mgmt.connections.update(id, { options: { passwordPolicy: "excellent" } });
    expect(patched.options).toEqual({ passwordPolicy: "excellent" });
    expect((await mgmt.connections.get(id)).options).toEqual({ passwordPolicy: "excellent" });
    // The seeded clients have the connection already (a new tenant's enable_client_connections).
    const enabled = async () =>
      (await mgmt.connections.clients.get(id)).data.map((c) => c.client_id);
    const before = await enabled();
    const clientId = env.seed.sandbox.backend.clientId;
    expect(before).toContain(clientId);
    await mgmt.connections.clients.update(id, [{ client_id: clientId, status: false }]);
    expect(await enabled()).toEqual(before.filter((c) => c !== clientId));
    await mgmt.connections.clients.update(id, [{ client_id: clientId, status: true }]);
    expect((await enabled()).sort()).toEqual([...before].sort());
    expect((await failure(mgmt.connections.get("con_missing"))).status).toBe(404);
  });
});

describe("branding, email templates, and the empty lists", () => {
  it("merges branding colors key by key", async () => {
    expect(await mgmt.branding.get()).toEqual({});
    await mgmt.branding.update({
      logo_url: "https://example.com/a.png",
      colors: { primary: "#000000" },
    });
    await mgmt.branding.update({ colors: { page_background: "#FFFFFF" } });
    expect(await mgmt.branding.get()).toEqual({
      logo_url: "https://example.com/a.png",
      colors: { primary: "#000000", page_background: "#FFFFFF" },
    });
  });

  it("answers 404 for an unset template, then creates, reads and patches it", async () => {
    expect((await failure(mgmt.emailTemplates.get("verify_email"))).status).toBe(404);
    expect(
      (await failure(mgmt.emailTemplates.update("verify_email", { subject: "x" }))).status,
    ).toBe(404);
    // A `from` needs an enabled email provider (rule email-templates.from-needs-provider).
    await mgmt.emails.provider.create({
      name: "smtp",
      credentials: {
        smtp_host: "smtp.example.com",
        smtp_port: 587,
        smtp_user: "u",
        smtp_pass: "p",
      },
    });
    await mgmt.emailTemplates.create({
      template: "verify_email",
      body: "<p>{{ url }}</p>",
      from: "a@example.com",
      subject: "Verify",
      syntax: "liquid",
      enabled: true,
    });
    await mgmt.emailTemplates.update("verify_email", { subject: "Verify your email" });
    expect(await mgmt.emailTemplates.get("verify_email")).toMatchObject({
      template: "verify_email",
      subject: "Verify your email",
      body: "<p>{{ url }}</p>",
      enabled: true,
    });
  });

  it("has no actions and no custom domains", async () => {
    expect((await mgmt.actions.list()).data).toEqual([]);
    expect(await mgmt.customDomains.list()).toEqual([]);
  });

  it("enforces the OpenAPI scopes: the Astral Backend may read none of it", async () => {
    // One at a time: a call made before the loop reaches it could be refused with nobody
    // awaiting it yet, which vitest reports as an unhandled rejection (a flaky red run).
    for (const call of [
      () => backend.connections.list(),
      () => backend.branding.get(),
      () => backend.emailTemplates.get("verify_email"),
    ]) {
      const { status, body } = await failure(call());
      expect(status).toBe(403);
      expect(body).toMatchObject({ statusCode: 403, errorCode: "insufficient_scope" });
    }
  });

  it("forgets it all on reset, back to the default database", async () => {
    await env.control.reset("sandbox");
    const boot = readBootstrap(env.stateDir, "sandbox");
    mgmt = new ManagementClient({
      domain: env.seed.sandbox.domain,
      clientId: boot.clientId,
      clientSecret: boot.clientSecret,
    });
    expect(await mgmt.branding.get()).toEqual({});
    expect((await mgmt.connections.list()).data.map((c) => c.name)).toEqual([DEFAULT_DATABASE]);
  });
});

describe("responses validate against the document's schemas", () => {
  const checkResponse = responseChecker(readOpenApi());

  it("for every operation tenant-config implements", async () => {
    const token = await managementToken(env, "sandbox");
    const base = env.tenants.sandbox.baseUrl;
    const seen = new Set<string>();
    const go = async (
      operationId: string,
      method: string,
      path: string,
      body?: unknown,
      expected = 200,
    ) => {
      const r = await call(base, method, `/api/v2${path}`, { token, body });
      expect(r.status, `${operationId}: ${JSON.stringify(r.body)}`).toBe(expected);
      seen.add(operationId);
      checkResponse(operationId, r.status, r.body);
      return r.body as Record<string, unknown>;
    };
    const made = await go(
      "post_connections",
      "POST",
      "/connections",
      { name: "schema-db", strategy: "auth0" },
      201,
    );
    await go("get_connections", "GET", "/connections?strategy=auth0");
    await go("get_connections", "GET", "/connections?take=1");
    await go("get_connections_by_id", "GET", `/connections/${made.id}`);
    await go("patch_connections_by_id", "PATCH", `/connections/${made.id}`, {
      options: { passwordPolicy: "fair" },
    });
    await go(
      "patch_clients",
      "PATCH",
      `/connections/${made.id}/clients`,
      [{ client_id: env.seed.sandbox.backend.clientId, status: true }],
      204,
    );
    await go("get_connection_clients", "GET", `/connections/${made.id}/clients`);
    const clientConnections = (await go(
      "get_client_connections",
      "GET",
      `/clients/${env.seed.sandbox.backend.clientId}/connections?take=50`,
    )) as { connections: { id: string }[] };
    expect(clientConnections.connections.map((c) => c.id)).toContain(made.id);
    await go("get_actions", "GET", "/actions/actions?per_page=50&page=0");
    await go("get_custom-domains", "GET", "/custom-domains");
    await go("patch_branding", "PATCH", "/branding", { colors: { primary: "#123456" } });
    await go("get_branding", "GET", "/branding");
    const template = {
      template: "reset_email",
      body: "<p/>",
      from: "a@example.com",
      subject: "s",
      syntax: "liquid",
      enabled: true,
    };
    // No provider yet: a template's `from` is refused; with one it is taken. (Error answers
    // have no schema in the document: their shape is checked by the rules' own checks.)
    expect((await call(base, "GET", "/api/v2/emails/provider", { token })).status).toBe(404);
    const refused = await call(base, "POST", "/api/v2/email-templates", { token, body: template });
    expect(refused.status).toBe(400);
    await go(
      "post_provider",
      "POST",
      "/emails/provider",
      {
        name: "smtp",
        enabled: true,
        default_from_address: "a@example.com",
        credentials: {
          smtp_host: "smtp.example.com",
          smtp_port: 587,
          smtp_user: "u",
          smtp_pass: "p",
        },
      },
      201,
    );
    await go("get_provider", "GET", "/emails/provider");
    await go("patch_provider", "PATCH", "/emails/provider", {
      default_from_address: "b@example.com",
    });
    await go("post_email-templates", "POST", "/email-templates", template);
    await go("get_email-templates_by_templateName", "GET", "/email-templates/reset_email");
    await go("patch_email-templates_by_templateName", "PATCH", "/email-templates/reset_email", {
      subject: "t",
    });
    await go(
      "put_email-templates_by_templateName",
      "PUT",
      "/email-templates/reset_email",
      template,
    );
    // The document gives no schema for this 202; Auth0 answers the deletion time (recorded:
    // TestConnectionManager_EnabledClients #6).
    const deleted = await call(base, "DELETE", `/api/v2/connections/${made.id}`, { token });
    expect(deleted.status).toBe(202);
    expect(typeof (deleted.body as { deleted_at?: unknown }).deleted_at).toBe("string");
    seen.add("delete_connections_by_id");
    await go("delete_provider", "DELETE", "/emails/provider", undefined, 204);
    expect([...seen].sort()).toEqual(
      [...Object.keys(TENANT_CONFIG_HANDLERS), ...Object.keys(EMAIL_PROVIDER_HANDLERS)].sort(),
    );
  });
});
