/**
 * One check per Universal Login row of the rules table (emulator/src/rules-universal-login.ts),
 * for emulator/test/rules.integration.test.ts. Each fails if the tenant stops enforcing its rule.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { UNIVERSAL_LOGIN_RULES } from "../src/rules-universal-login";
import { call } from "./helpers";

type Id = (typeof UNIVERSAL_LOGIN_RULES)[number]["id"];
const CALLBACK = "http://localhost:9/callback";
const PASSWORD = "Rules-Signup-2026";

export function universalLoginChecks(t: {
  base: () => string;
  token: () => string;
}): Record<Id, () => Promise<void>> {
  const api = (method: string, path: string, body?: unknown) =>
    call(t.base(), method, `/api/v2${path}`, { token: t.token(), body });
  const database = async () => {
    const list = await api("GET", "/connections?strategy=auth0");
    return (list.body as { id: string; options: Record<string, unknown> }[])[0] as {
      id: string;
      options: Record<string, unknown>;
    };
  };
  const enabledClients = async (connectionId: string) =>
    (
      (await api("GET", `/connections/${connectionId}/clients`)).body as {
        clients: { client_id: string }[];
      }
    ).clients.map((c) => c.client_id);
  const loginApp = async () => {
    const made = await api("POST", "/clients", {
      name: `rules login ${randomUUID().slice(0, 8)}`,
      app_type: "regular_web",
      callbacks: [CALLBACK],
      grant_types: ["authorization_code"],
    });
    expect(made.status).toBe(201);
    return (made.body as { client_id: string }).client_id;
  };
  const authorize = (clientId: string, extra: Record<string, string> = {}) =>
    call(
      t.base(),
      "GET",
      `/authorize?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: CALLBACK,
        response_type: "code",
        scope: "openid",
        state: "s1",
        ...extra,
      })}`,
    );
  /** The login transaction of an /authorize page (its hidden `state` field). */
  const transactionOf = (html: unknown) =>
    /name="state" value="([^"]+)"/.exec(String(html))?.[1] ?? "";
  const signUp = (transaction: string, email: string, password = PASSWORD) =>
    call(t.base(), "POST", "/u/signup", {
      rawBody: new URLSearchParams({ state: transaction, email, password }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  const withSignupDisabled = async (run: () => Promise<void>) => {
    const db = await database();
    await api("PATCH", `/connections/${db.id}`, {
      options: { ...db.options, disable_signup: true },
    });
    try {
      await run();
    } finally {
      await api("PATCH", `/connections/${db.id}`, {
        options: { ...db.options, disable_signup: false },
      });
    }
  };

  return {
    "clients.create.enable-client-connections": async () => {
      const db = await database();
      const on = await loginApp();
      expect(await enabledClients(db.id)).toContain(on);
      await api("PATCH", "/tenants/settings", { flags: { enable_client_connections: false } });
      try {
        expect(await enabledClients(db.id)).not.toContain(await loginApp());
      } finally {
        await api("PATCH", "/tenants/settings", { flags: { enable_client_connections: true } });
      }
      expect((await api("DELETE", `/clients/${on}`)).status).toBe(204);
      expect(await enabledClients(db.id)).not.toContain(on);
    },
    "login.no-connection": async () => {
      const db = await database();
      const app = await loginApp();
      expect((await authorize(app)).status).toBe(200);
      await api("PATCH", `/connections/${db.id}/clients`, [{ client_id: app, status: false }]);
      const refused = await authorize(app);
      expect(refused.status).toBe(302);
      const back = new URL(refused.headers.get("location") ?? "");
      expect(back.searchParams.get("error")).toBe("invalid_request");
      expect(back.searchParams.get("error_description")).toBe(
        "no connections enabled for the client",
      );
    },
    "signup.disable-signup": async () => {
      const app = await loginApp();
      const open = await authorize(app);
      expect(String(open.body)).toContain("Sign up</a>");
      await withSignupDisabled(async () => {
        const page = await authorize(app);
        expect(String(page.body)).not.toContain("Sign up</a>");
        const refused = await signUp(transactionOf(page.body), `${randomUUID()}@example.test`);
        expect(refused.status).toBe(403);
      });
    },
    "signup.screen-hint": async () => {
      const app = await loginApp();
      expect(String((await authorize(app)).body)).toContain("<h1>Welcome</h1>");
      const page = await authorize(app, { screen_hint: "signup" });
      expect(String(page.body)).toContain("<h1>Create your account</h1>");
    },
    "users.create.connection-enabled": async () => {
      const db = await database();
      const made = await api("POST", "/clients", {
        name: `rules user maker ${randomUUID().slice(0, 8)}`,
        app_type: "non_interactive",
        grant_types: ["client_credentials"],
      });
      const maker = made.body as { client_id: string; client_secret: string };
      const grant = await api("POST", "/client-grants", {
        client_id: maker.client_id,
        audience: `${t.base()}/api/v2/`,
        scope: ["create:users"],
      });
      expect(grant.status).toBe(201);
      const tokenReply = await call(t.base(), "POST", "/oauth/token", {
        body: {
          grant_type: "client_credentials",
          client_id: maker.client_id,
          client_secret: maker.client_secret,
          audience: `${t.base()}/api/v2/`,
        },
      });
      const makerToken = (tokenReply.body as { access_token: string }).access_token;
      const create = () =>
        call(t.base(), "POST", "/api/v2/users", {
          token: makerToken,
          body: {
            connection: "Username-Password-Authentication",
            email: `${randomUUID().slice(0, 8)}@example.test`,
            password: PASSWORD,
          },
        });
      await api("PATCH", `/connections/${db.id}/clients`, [
        { client_id: maker.client_id, status: false },
      ]);
      const refused = await create();
      expect(refused.status).toBe(400);
      expect((refused.body as { message: string }).message).toBe(
        `Connection must be enabled for this client to perform single user creation and signup operations (client_id: ${maker.client_id} - connection: Username-Password-Authentication)`,
      );
      await api("PATCH", `/connections/${db.id}/clients`, [
        { client_id: maker.client_id, status: true },
      ]);
      expect((await create()).status).toBe(201);
    },
    "signup.same-checks-as-create": async () => {
      const app = await loginApp();
      const email = `${randomUUID().slice(0, 8)}@example.test`;
      const weak = await signUp(transactionOf((await authorize(app)).body), email, "short");
      expect(weak.status).toBe(400);
      expect(String(weak.body)).toContain("Password is too weak");
      const made = await signUp(transactionOf((await authorize(app)).body), email);
      expect(made.status).toBe(302);
      expect(new URL(made.headers.get("location") ?? "").searchParams.get("code")).toBeTruthy();
      const users = (await api("GET", `/users-by-email?email=${encodeURIComponent(email)}`))
        .body as { email_verified: boolean }[];
      expect(users).toHaveLength(1);
      expect(users[0]?.email_verified).toBe(false);
      const again = await signUp(transactionOf((await authorize(app)).body), email);
      expect(again.status).toBe(400);
      expect(String(again.body)).toContain("The user already exists.");
    },
  };
}
