/**
 * Key-pair credentials (ADR 0800) against the local tenants, through the guarded actions: create
 * in one POST /clients with only the public key, a token with the private key outside the portal
 * (the copyable snippet, run with node), "try this credential" with a browser-style assertion,
 * replace (both work) then revoke the old one, and every refusal: a private key or a short key
 * pasted, rotating a key pair, forged/expired/replaced assertions. No private key in audit lines.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { keyPairSnippet, privateKeyFileName } from "../lib/snippets/key-pair-token";
import { newRsaKeyPair, signAssertion } from "./key-pairs";
import {
  newKey,
  ok,
  type PortalHarness,
  sleep,
  startPortalHarness,
  TEST_SEARCH_LAG_MS,
} from "./support";

let h: PortalHarness;
let alice: Actor;
let teamId: string;
const pair = newRsaKeyPair();
const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
/** A line from the middle of the private key: what a leak would contain. */
const privateLine = privatePem.split("\n")[5] ?? "";
const REPO = path.resolve(__dirname, "..", "..");

beforeAll(async () => {
  h = await startPortalHarness();
  alice = await h.newUser("alice-keys");
  teamId = ok(await actions.createTeam.invoke(h.portal, alice, { name: "Keys team" })).teamId;
  alice = await h.refresh(alice);
}, 120_000);
afterAll(async () => h?.close());

const keyPairInput = () => ({
  teamId,
  environment: "sandbox",
  name: "billing-service",
  idempotencyKey: newKey(),
  publicKeyPem: pair.publicKeyPem,
  alg: "RS256",
});
const create = (extra: Record<string, unknown> = {}) =>
  actions.createKeyPairCredential.invoke(h.portal, alice, { ...keyPairInput(), ...extra });

async function tokenWith(clientAssertion: string, audience: string) {
  const res = await fetch(`https://${h.env.tenants.sandbox.domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      audience,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: clientAssertion,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("key-pair credentials", () => {
  it("are created in one POST /clients with the public key only, listed with their expiry, and carry no secret", async () => {
    const before = h.portal.tenants.sandbox?.calls.api ?? 0;
    const made = ok(await create());
    expect(made.kind).toBe("key_pair");
    expect(made).not.toHaveProperty("clientSecret");
    expect(JSON.stringify(made)).not.toMatch(/secret/i);
    expect(made.assertionAudience).toBe(`https://${h.env.tenants.sandbox.domain}/`);
    const days = (Date.parse(made.keyExpiresAt ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9); // harness config: the default 90 days
    expect(days).toBeLessThanOrEqual(90);
    // The team's credentials (one search: limits.credentialsPerTeam, its re-check after the
    // create, and look-alike names), the tenant's application count
    // (limits.applicationsPerTenant), POST /clients and one grant in the sandbox tenant (the
    // create record and the team record live in production).
    expect((h.portal.tenants.sandbox?.calls.api ?? 0) - before).toBe(4);
    const client = await h.root.sandbox.clients.get(made.clientId);
    expect(client.token_endpoint_auth_method).toBeUndefined();
    expect(client.client_authentication_methods?.private_key_jwt?.credentials).toHaveLength(1);
    const list = ok(
      await actions.listCredentials.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        recent: [made.clientId],
      }),
    );
    expect(list.items.find((c) => c.clientId === made.clientId)).toMatchObject({
      kind: "key_pair",
      keyAlg: "RS256",
      keyExpiresAt: made.keyExpiresAt,
    });
  });

  it("the copyable snippet gets a token with the private key, outside the portal", async () => {
    const made = ok(await create({ name: "snippet check" }));
    // Inside the repository, so that `import "jose"` resolves from node_modules as after
    // `npm install jose`.
    mkdirSync(path.join(REPO, ".astral"), { recursive: true });
    const dir = mkdtempSync(path.join(REPO, ".astral", "snippet-"));
    try {
      const keyFile = privateKeyFileName(made.name);
      writeFileSync(path.join(dir, keyFile), privatePem, { mode: 0o600 });
      writeFileSync(
        path.join(dir, "get-token.mjs"),
        keyPairSnippet({
          clientId: made.clientId,
          tokenUrl: made.tokenUrl,
          assertionAudience: made.assertionAudience,
          audience: made.audiences[0] ?? "",
          alg: "RS256",
          keyFile,
        }),
      );
      // Asynchronously: the local tenants answer from this very process.
      const run = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ["get-token.mjs"],
          { cwd: dir, timeout: 30_000 },
          (_e, stdout, stderr) => resolve({ stdout, stderr }),
        ),
      );
      expect(run.stderr).toBe("");
      const body = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(typeof body.access_token).toBe("string");
      expect(body.scope).toBe("read:examples");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("'try this credential' exchanges a browser-signed assertion, once", async () => {
    const made = ok(await create({ name: "try me" }));
    const audience = made.audiences[0] ?? "";
    const clientAssertion = await signAssertion(
      made.clientId,
      pair.privateKey,
      made.assertionAudience,
    );
    const tried = ok(
      await actions.tryKeyPairCredential.invoke(h.portal, alice, {
        teamId,
        clientId: made.clientId,
        clientAssertion,
        audience,
      }),
    );
    expect(tried.claims.sub).toBe(`${made.clientId}@clients`);
    const replayed = await actions.tryKeyPairCredential.invoke(h.portal, alice, {
      teamId,
      clientId: made.clientId,
      clientAssertion,
      audience,
    });
    expect(replayed.ok || replayed.error.message).toMatch(/refused the credential: .*already used/);
  });

  it("forged, expired and wrong-audience assertions are refused", async () => {
    const made = ok(await create({ name: "refusals" }));
    const audience = made.audiences[0] ?? "";
    const forged = await signAssertion(
      made.clientId,
      newRsaKeyPair().privateKey,
      made.assertionAudience,
    );
    expect((await tokenWith(forged, audience)).status).toBe(401);
    const wrongAud = await signAssertion(made.clientId, pair.privateKey, made.tokenUrl);
    expect((await tokenWith(wrongAud, audience)).status).toBe(401);
    const past = Math.floor(Date.now() / 1000) - 120;
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(made.clientId)
      .setSubject(made.clientId)
      .setAudience(made.assertionAudience)
      .setIssuedAt(past)
      .setExpirationTime(past + 60)
      .setJti(newKey())
      .sign(pair.privateKey);
    expect((await tokenWith(expired, audience)).status).toBe(401);
    expect(
      (
        await tokenWith(
          await signAssertion(made.clientId, pair.privateKey, made.assertionAudience),
          audience,
        )
      ).status,
    ).toBe(200);
  });

  it("Replace… keeps both working until the old one is revoked", async () => {
    const old = ok(await create({ name: "to replace" }));
    const next = newRsaKeyPair();
    const replacement = ok(
      await create({
        name: "replacement",
        publicKeyPem: next.publicKeyPem,
        alg: "PS256",
        replaces: old.clientId,
      }),
    );
    expect(replacement.replaces).toBe(old.clientId);
    const audience = old.audiences[0] ?? "";
    const oldToken = () =>
      signAssertion(old.clientId, pair.privateKey, old.assertionAudience).then((a) =>
        tokenWith(a, audience),
      );
    expect((await oldToken()).status).toBe(200);
    const fresh = await signAssertion(
      replacement.clientId,
      next.privateKey,
      replacement.assertionAudience,
      "PS256",
    );
    expect((await tokenWith(fresh, audience)).status).toBe(200);
    ok(
      await actions.revokeCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        clientId: old.clientId,
      }),
    );
    expect((await oldToken()).status).toBe(401);
    const again = await signAssertion(
      replacement.clientId,
      next.privateKey,
      replacement.assertionAudience,
      "PS256",
    );
    expect((await tokenWith(again, audience)).status).toBe(200);
  });

  it("refuses a pasted private key (without echoing it), a short or non-RSA key, a foreign replaces, and rotating a key pair", async () => {
    const pasted = await create({ publicKeyPem: privatePem });
    expect(pasted.ok).toBe(false);
    if (!pasted.ok) {
      expect(pasted.error.code).toBe("invalid_input");
      expect(pasted.error.message).toMatch(/private key/);
      expect(JSON.stringify(pasted.error)).not.toContain(privateLine);
    }
    const short = await create({ publicKeyPem: newRsaKeyPair(1024).publicKeyPem });
    expect(short.ok || short.error.message).toMatch(/2048 to 4096 bits.*1024/);
    const foreign = await create({ replaces: "x".repeat(32) });
    expect(foreign.ok || foreign.error.code).toBe("not_found");
    const made = ok(await create({ name: "no rotate" }));
    const rotated = await actions.rotateCredential.invoke(h.portal, alice, {
      teamId,
      environment: "sandbox",
      clientId: made.clientId,
    });
    expect(rotated.ok || rotated.error.message).toMatch(/Replace/);
  });

  it("go through the same name rules as secrets: mixed scripts and look-alikes of any credential are refused", async () => {
    const mixed = await create({ name: "Аlpha" }); // Cyrillic А before Latin letters
    expect(mixed.ok || mixed.error.message).toMatch(/name: Mixes scripts \(Cyrillic, Latin\)/);
    ok(
      await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "Alpha",
        idempotencyKey: newKey(),
      }),
    );
    const keyPair = ok(await create({ name: "Echo" }));
    // The other names come from the credential search, which lags (ADR 0700).
    await sleep(TEST_SEARCH_LAG_MS + 200);
    const lookAlike = /looks like the team's credential "(Alpha|Echo)"/;
    const spoofSecret = await create({ name: "АІрһа" }); // all Cyrillic, Alpha's skeleton
    expect(spoofSecret.ok || spoofSecret.error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(lookAlike),
    });
    const mixedByReplace = await create({ name: "Eсho", replaces: keyPair.clientId }); // Replace…
    expect(mixedByReplace.ok || mixedByReplace.error.message).toMatch(/Mixes scripts/);
    const spoofByReplace = await create({ name: "Есһо", replaces: keyPair.clientId }); // Cyrillic
    expect(spoofByReplace.ok || spoofByReplace.error.message).toMatch(lookAlike);
  });

  it("no client secret leaves the management call: an answer carrying one reaches no result, log, audit line or record", async () => {
    // Auth0 hides a Private Key JWT client's secret in its answers (ADR 0800), and so do the
    // local tenants; this transport puts one back into the answer to POST /clients, as if the
    // tenant sent it, to show that the portal would drop it at the call.
    const canary = `leaked-${newKey()}`;
    let injected = 0;
    const transport: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      const body = typeof init?.body === "string" ? init.body : "";
      if (url.pathname !== "/api/v2/clients" || !body.includes("client_authentication_methods"))
        return res;
      const made = (await res.json()) as Record<string, unknown>;
      injected++;
      return new Response(JSON.stringify({ ...made, client_secret: canary }), {
        status: res.status,
        headers: { "content-type": "application/json" },
      });
    };
    const portal = h.portalWith(
      { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
      { fetch: transport },
    );
    const printed: unknown[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args) => void printed.push(args)),
    );
    const results: unknown[] = [];
    try {
      const input = { ...keyPairInput(), name: "canary" };
      const made = ok(await actions.createKeyPairCredential.invoke(portal, alice, input));
      results.push(made, await actions.createKeyPairCredential.invoke(portal, alice, input)); // retry
      results.push(
        await actions.listCredentials.invoke(portal, alice, {
          teamId,
          environment: "sandbox",
          recent: [made.clientId],
        }),
      );
      // A create whose grant fails: the error path logs, audits and cleans up.
      h.env.control.setFaults("sandbox", [{ route: "POST /api/v2/client-grants", status: 500 }]);
      const failed = await actions.createKeyPairCredential.invoke(portal, alice, {
        ...keyPairInput(),
        name: "canary failing",
      });
      expect(failed.ok || failed.error.code).toBe("upstream_error");
      results.push(failed);
    } finally {
      h.env.control.setFaults("sandbox", []);
      for (const spy of spies) spy.mockRestore();
    }
    expect(injected).toBe(2); // the first create and the failing one (the retry finds the first)
    expect(printed.length).toBeGreaterThan(0); // the failed create was logged
    const record = await h.root.production.users.get(alice.userId); // the create-once records
    for (const [where, what] of Object.entries({ results, printed, audit: h.audit, record }))
      expect(JSON.stringify(what), where).not.toContain(canary);
  });

  it("no audit line holds a private key", () => {
    const lines = JSON.stringify(h.audit);
    expect(lines).toContain("createKeyPairCredential");
    expect(lines).not.toContain(privateLine);
    expect(lines).not.toContain("PRIVATE KEY");
  });
});
