/**
 * One check per row of emulator/src/rules-plans.ts (what a plan brings, Private Key JWT on
 * Enterprise only, the `*:client_credentials` scopes), for emulator/test/rules.integration.test.ts.
 * Each fails if the tenant stops enforcing its rule. Every check puts the sandbox tenant back on
 * the test defaults (Enterprise features, `test` rate limits, no entity limits).
 */
import { generateKeyPairSync } from "node:crypto";
import { expect } from "vitest";
import { RATE_LIMIT_PROFILES } from "../src/control";
import type { PLANS_RULES } from "../src/rules-plans";
import type { SeededTenants } from "../test-support";
import { call, expectAuth0Error, managementToken } from "./helpers";

type Id = (typeof PLANS_RULES)[number]["id"];
type Doc = Record<string, unknown>;

export function plansChecks(t: {
  env: () => SeededTenants;
  base: () => string;
  token: () => string;
}): Record<Id, () => Promise<void>> {
  const pem = () =>
    generateKeyPairSync("rsa", { modulusLength: 2048 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
  const keyPairClient = (name: string) => ({
    name,
    app_type: "non_interactive",
    jwt_configuration: { alg: "RS256" },
    client_authentication_methods: {
      private_key_jwt: { credentials: [{ credential_type: "public_key", pem: pem() }] },
    },
  });
  const post = (body: unknown, token = t.token()) =>
    call(t.base(), "POST", "/api/v2/clients", { token, body });
  const named = async (name: string) =>
    (
      (await call(t.base(), "GET", "/api/v2/clients?per_page=100", { token: t.token() })).body as {
        name: string;
      }[]
    ).filter((c) => c.name === name);
  /** Runs `check` with the sandbox tenant on `plan`, then back on the test defaults. */
  const onPlan = async (
    plan: "free" | "essentials" | "professional",
    check: () => Promise<void>,
  ) => {
    const { control } = t.env();
    control.setPlan("sandbox", plan);
    try {
      await check();
    } finally {
      control.setPlan("sandbox", "enterprise");
      control.setRateLimitProfile("sandbox", "test");
      control.setEntityPlan("sandbox", "unlimited");
    }
  };
  const limitHeader = async () =>
    (await call(t.base(), "GET", "/api/v2/clients?per_page=1", { token: t.token() })).headers.get(
      "x-ratelimit-limit",
    );

  const api = (method: string, path: string, body?: unknown) =>
    call(t.base(), method, `/api/v2${path}`, { token: t.token(), body });

  return {
    "email-templates.from-needs-provider": async () => {
      await api("DELETE", "/emails/provider");
      const none = await api("GET", "/emails/provider");
      expect(expectAuth0Error(none).errorCode).toBe("inexistent_email_provider");
      const template = {
        template: "reset_email",
        enabled: true,
        syntax: "liquid",
        subject: "Reset",
        body: "<p>reset</p>",
        from: "Rules <no-reply@rules.example>",
      };
      const refused = await api("PUT", "/email-templates/reset_email", template);
      expect(refused.status).toBe(400);
      expect(expectAuth0Error(refused).message).toBe(
        "From address cannot be set without an enabled email provider.",
      );
      expect((await api("GET", "/email-templates/reset_email")).status).toBe(404);
      expect(
        (await api("PUT", "/email-templates/reset_email", { ...template, from: "" })).status,
      ).toBe(400);
      expect(
        (await api("PUT", "/email-templates/reset_email", { ...template, from: null })).status,
      ).toBe(200);
      expect(
        (await api("PATCH", "/email-templates/reset_email", { from: template.from })).status,
      ).toBe(400);
      const made = await api("POST", "/emails/provider", {
        name: "smtp",
        default_from_address: "no-reply@rules.example",
        credentials: {
          smtp_host: "smtp.rules.example",
          smtp_port: 587,
          smtp_user: "u",
          smtp_pass: "p",
        },
      });
      expect(made.status).toBe(201);
      expect(JSON.stringify(made.body)).not.toContain("smtp_pass");
      try {
        expect(
          (await api("PATCH", "/email-templates/reset_email", { from: template.from })).status,
        ).toBe(200);
        await api("PATCH", "/emails/provider", { enabled: false });
        expect(
          (await api("PATCH", "/email-templates/reset_email", { from: template.from })).status,
        ).toBe(400);
      } finally {
        expect((await api("DELETE", "/emails/provider")).status).toBe(204);
      }
    },
    "plans.limits": async () => {
      // Fill the tenant to Free's 10 applications first (on the test limits).
      const total = async () =>
        ((await api("GET", "/clients?per_page=1&include_totals=true")).body as { total: number })
          .total;
      for (let n = await total(); n < 10; n++)
        expect((await post({ name: `plans filler ${n}` })).status).toBe(201);
      await onPlan("free", async () => {
        // The headers describe Free's endpoint bucket; the 2/s global limit (burst 10) applies on
        // top of it and is not in the headers (rule ratelimit.free-global).
        expect(await limitHeader()).toBe(String(RATE_LIMIT_PROFILES.free.burst));
        expect(RATE_LIMIT_PROFILES.free.global).toEqual({ burst: 10, perSecond: 2 });
        const refused = await post({ name: "free plan one too many" });
        expect(expectAuth0Error(refused).errorCode).toBe("entity_limit_reached");
      });
      await onPlan("professional", async () => {
        expect(await limitHeader()).toBe("16");
        expect((await post({ name: "professional plan room" })).status).toBe(201);
      });
    },
    "plans.private-key-jwt": async () => {
      for (const plan of ["free", "essentials", "professional"] as const)
        await onPlan(plan, async () => {
          t.env().control.setEntityPlan("sandbox", "unlimited");
          const name = `pkjwt on ${plan}`;
          const refused = await post(keyPairClient(name));
          expect(refused.status, plan).toBe(403);
          expect(refused.body, plan).toEqual({
            statusCode: 403,
            error: "Forbidden",
            errorCode: "insufficient_entitlement",
            message: "Please upgrade your subscription to use Private Key JWT authentication",
          });
          expect(await named(name), plan).toEqual([]);
          // A client secret is every plan's.
          expect((await post({ name: `${name} secret` })).status, plan).toBe(201);
        });
      expect((await post(keyPairClient("pkjwt on enterprise"))).status).toBe(201);
    },
    "clients.auth-methods.read-scope": async () => {
      const made = await post(keyPairClient("pkjwt read scope"));
      expect(made.status).toBe(201);
      const id = (made.body as { client_id: string }).client_id;
      const readOnly = await managementToken(t.env(), "sandbox", ["read:clients"]);
      const read = async (token: string) => {
        const one = (await call(t.base(), "GET", `/api/v2/clients/${id}`, { token })).body as Doc;
        const list = (await call(t.base(), "GET", "/api/v2/clients?per_page=100", { token }))
          .body as Doc[];
        return [one, list.find((c) => c.client_id === id)];
      };
      for (const doc of await read(readOnly))
        expect(doc).not.toHaveProperty("client_authentication_methods");
      for (const scope of ["read:client_keys", "read:client_credentials"]) {
        const token = await managementToken(t.env(), "sandbox", ["read:clients", scope]);
        for (const doc of await read(token))
          expect(doc, scope).toHaveProperty("client_authentication_methods.private_key_jwt");
      }
    },
    "clients.auth-methods.scope": async () => {
      const env = t.env();
      const without = await managementToken(env, "sandbox", ["create:clients", "update:clients"]);
      const refused = await post(keyPairClient("pkjwt without scope"), without);
      expect(refused.status).toBe(403);
      expect(expectAuth0Error(refused).errorCode).toBe("insufficient_scope");
      expect(expectAuth0Error(refused).message).toMatch(/create:client_credentials/);
      const withScope = await managementToken(env, "sandbox", [
        "create:clients",
        "create:client_credentials",
      ]);
      expect((await post(keyPairClient("pkjwt with scope"), withScope)).status).toBe(201);
      const made = await post({ name: "pkjwt patch target" });
      const id = (made.body as { client_id: string }).client_id;
      const patched = await call(t.base(), "PATCH", `/api/v2/clients/${id}`, {
        token: without,
        body: { client_authentication_methods: { private_key_jwt: { credentials: [] } } },
      });
      expect(patched.status).toBe(403);
      expect(expectAuth0Error(patched).message).toMatch(/update:client_credentials/);
    },
  };
}
