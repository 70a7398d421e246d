/**
 * State survives a restart (records, credentials, the signing key: tokens issued before stay
 * valid), follows the tenant to another port, and reset clears it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ManagementClient } from "auth0";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningTenants, seedTenants, startTenants } from "../src/index";
import { call } from "./helpers";

const stateDir = mkdtempSync(path.join(os.tmpdir(), "astral-persist-"));
let running: RunningTenants | undefined;
afterAll(async () => {
  await running?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Lets the client side see the sockets the stopped server closed before reusing any. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const mgmtFor = (domain: string, creds: { clientId: string; clientSecret: string }) =>
  new ManagementClient({ domain, clientId: creds.clientId, clientSecret: creds.clientSecret });

async function backendToken(
  baseUrl: string,
  domain: string,
  creds: { clientId: string; clientSecret: string },
) {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      audience: `https://${domain}/api/v2/`,
    }),
  });
  return {
    status: res.status,
    token: ((await res.json()) as { access_token?: string }).access_token,
  };
}

describe("persistence", () => {
  it("keeps state across a restart, moves with the port, and reset clears it", async () => {
    running = await startTenants({ stateDir });
    const seed = await seedTenants(running.tenants, { stateDir });
    const { domain, baseUrl } = running.tenants.sandbox;
    const port = Number(new URL(baseUrl).port);
    const user = await mgmtFor(domain, seed.sandbox.backend).users.create({
      connection: "Username-Password-Authentication",
      email: "persist@example.com",
      password: "Persist-Passw0rd",
      app_metadata: { teamId: "t-persist" },
    });
    const before = await backendToken(baseUrl, domain, seed.sandbox.backend);
    await running.close();
    await settle();

    // Same port: everything is back, and the token issued before the restart still works.
    running = await startTenants({ stateDir, ports: { sandbox: port } });
    expect(running.tenants.sandbox.domain).toBe(domain);
    const again = await seedTenants(running.tenants, { stateDir });
    expect(again.sandbox.backend).toEqual(seed.sandbox.backend);
    const listed = await call(
      baseUrl,
      "GET",
      `/api/v2/users?q=${encodeURIComponent('app_metadata.teamId:"t-persist"')}`,
      { token: before.token },
    );
    expect(listed.status).toBe(200);
    expect((listed.body as Array<{ user_id: string }>).map((u) => u.user_id)).toEqual([
      user.user_id,
    ]);
    await running.close();
    await settle();

    // Another port: the Management API audience follows the domain; credentials keep working.
    running = await startTenants({ stateDir });
    const moved = running.tenants.sandbox;
    expect(moved.domain).not.toBe(domain);
    const movedToken = await backendToken(moved.baseUrl, moved.domain, seed.sandbox.backend);
    expect(movedToken.status).toBe(200);
    expect(
      (await mgmtFor(moved.domain, seed.sandbox.backend).users.get(user.user_id as string)).email,
    ).toBe("persist@example.com");

    // Reset: empty again, old credentials refused; a new seed works.
    await running.live.sandbox.reset();
    expect((await backendToken(moved.baseUrl, moved.domain, seed.sandbox.backend)).status).toBe(
      401,
    );
    const fresh = await seedTenants(running.tenants, { stateDir });
    expect(fresh.sandbox.backend.clientId).not.toBe(seed.sandbox.backend.clientId);
    const users = await mgmtFor(moved.domain, fresh.sandbox.backend).users.list({
      q: "email:persist@example.com",
    });
    expect(users.data).toEqual([]);
    // The production tenant was not touched by the sandbox reset.
    expect(fresh.production.backend).toEqual(seed.production.backend);
  });
});
