/**
 * One recorded answer against the local one: status, JSON key sets at every level, and the values
 * of every field except the few that are genuinely not deterministic (NOT_COMPARED, each with its
 * reason). Ids are not skipped: each recorded id is mapped onto the local id answered in its place
 * the first time it appears (IdMap), and from then on it must match.
 */

/** Fields whose recorded value cannot be reproduced, by JSON key, with the reason. */
export const NOT_COMPARED: Readonly<Record<string, string>> = {
  created_at: "timestamp of the recording",
  updated_at: "timestamp of the recording",
  last_password_reset: "timestamp of the recording",
  deleted_at: "timestamp of the recording",
  expires_at:
    "a date the test computed from its clock (ten minutes ahead); the replay sends it moved to now, so the answer differs by the time elapsed since",
  client_secret: "a secret: random, and redacted by go-auth0's recorder",
  access_token: "a token: signed with the tenant's key, and redacted by go-auth0's recorder",
  picture:
    "Auth0 derives the default avatar URL from its CDN and the email hash; the local tenants have no CDN",
};

/**
 * Keys whose presence a cassette cannot settle: Auth0 answered differently when an older
 * cassette was recorded than it does now (the local tenants follow the newest recordings), or
 * the recorder rewrote the answer. In those cassettes the key's presence is not compared (its
 * value still is where both have it).
 */
export const PRESENCE_NOT_COMPARED: readonly {
  key: string;
  cassettes: readonly string[];
  reason: string;
}[] = [
  {
    key: "cross_origin_authentication",
    cassettes: [
      "TestClientAuthenticationMethods/GetPrivateKeyJWT.yaml",
      "TestClient_CreateAllCredential/Should_create_PrivateJWT_Credential.yaml",
      "TestClient_CreateCredential.yaml",
      "TestClient_Delete.yaml",
      "TestClient_DeleteCredential.yaml",
      "TestClient_GetCredentials.yaml",
      "TestClient_List.yaml",
      "TestClient_ListCredentials.yaml",
      "TestClient_Read.yaml",
      "TestClient_RotateSecret.yaml",
      "TestClient_Update.yaml",
      "TestClient_UpdateCredential.yaml",
    ],
    reason:
      "client answers recorded in 2023 and 2024 leave it out; those recorded from April 2025 on (TestClient_CreateWithClientRefreshToken #1, TestClient_Create #0, TestClientGrantManager_* #0) answer false, as the local tenants do",
  },
  {
    key: "cross_origin_auth",
    cassettes: ["TestClient_List.yaml"],
    reason:
      "the field's deprecated name, answered in January 2023; every later recording has cross_origin_authentication instead",
  },
  {
    key: "client_secret",
    cassettes: ["TestClient_List.yaml"],
    reason:
      "recorded in January 2023, before go-auth0's recorder redacted client answers: the saved create answer has no secret (the scopes of go-auth0's test client then are not known); every later create answer has one",
  },
  {
    key: "scope",
    cassettes: ["authentication/TestLoginWithClientCredentials/Should_return_tokens.yaml"],
    reason:
      "go-auth0's recorder re-encoded the token answer through its TokenSet struct (authentication/http_recordings_test.go, redactTokens) and replaced the client and audience with placeholders: which scopes the recorded client was granted, and so whether Auth0 answered a scope, is not known",
  },
];

/**
 * Interactions whose answer a fresh local tenant cannot reproduce, compared by status code only:
 * it shows what the recorded tenant held before the test, or what Auth0 fetched from the internet.
 */
export const STATUS_ONLY: readonly {
  cassette: string;
  indexes?: readonly number[];
  reason: string;
}[] = [
  {
    cassette: "TestTenantManager.yaml",
    reason:
      "every answer carries the whole of the recorded tenant's settings from before the test (its MFA page HTML, session lifetimes, sandbox version, flags, locales), most of which no request in the cassette sets",
  },
  {
    cassette: "TestClientManager_ReadEnabledConnections.yaml",
    indexes: [2, 4],
    reason:
      "an Okta connection: Auth0 fetched domain.okta.com's OpenID discovery document and stored what it found (oidc_metadata, endpoints); the local tenants do not reach the internet",
  },
];

export function statusOnly(cassette: string, index: number): boolean {
  return STATUS_ONLY.some(
    (s) => s.cassette === cassette && (s.indexes === undefined || s.indexes.includes(index)),
  );
}

export function supersededKeys(cassette: string): ReadonlySet<string> {
  return new Set(
    PRESENCE_NOT_COMPARED.filter((s) => s.cassettes.includes(cassette)).map((s) => s.key),
  );
}

/** Keys whose values are ids, learned from answers and mapped onto later requests. */
const ID_KEYS = new Set(["id", "client_id", "user_id"]);

export class IdMap {
  private readonly pairs = new Map<string, string>();

  set(recorded: string, local: string): void {
    if (recorded && local && !this.pairs.has(recorded)) this.pairs.set(recorded, local);
  }

  map(value: string): string {
    return this.pairs.get(value) ?? value;
  }

  /** Replaces every known recorded id in a URL or body, longest first. */
  rewrite(text: string): string {
    const ids = [...this.pairs.keys()].sort((a, b) => b.length - a.length);
    let out = text;
    for (const id of ids) {
      const local = this.pairs.get(id) ?? id;
      out = out.split(encodeURIComponent(id)).join(encodeURIComponent(local)).split(id).join(local);
    }
    return out;
  }

  /** Learns the ids of a recorded answer from the local answer in the same places. */
  learn(recorded: unknown, local: unknown): void {
    if (Array.isArray(recorded) && Array.isArray(local)) {
      recorded.forEach((r, i) => {
        this.learn(r, local[i]);
      });
      return;
    }
    if (!isObject(recorded) || !isObject(local)) return;
    for (const [key, value] of Object.entries(recorded)) {
      const other = local[key];
      if (ID_KEYS.has(key) && typeof value === "string" && typeof other === "string") {
        this.set(value, other);
        // An identity's user_id is the user id without its `auth0|` prefix.
        const [, suffix] = value.split("|");
        const [, otherSuffix] = other.split("|");
        if (suffix && otherSuffix) this.set(suffix, otherSuffix);
      } else {
        this.learn(value, other);
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The differences between a recorded and a local JSON value (empty: they match). */
export function differences(
  recorded: unknown,
  local: unknown,
  ids: IdMap,
  superseded: ReadonlySet<string> = new Set(),
  at = "$",
): string[] {
  if (Array.isArray(recorded)) {
    if (!Array.isArray(local)) return [`${at}: recorded an array, local ${JSON.stringify(local)}`];
    if (recorded.length !== local.length)
      return [`${at}: recorded ${recorded.length} items, local ${local.length}`];
    return recorded.flatMap((r, i) => differences(r, local[i], ids, superseded, `${at}[${i}]`));
  }
  if (isObject(recorded)) {
    if (!isObject(local)) return [`${at}: recorded an object, local ${JSON.stringify(local)}`];
    const out: string[] = [];
    const missing = Object.keys(recorded).filter((k) => !(k in local) && !superseded.has(k));
    const extra = Object.keys(local).filter((k) => !(k in recorded) && !superseded.has(k));
    if (missing.length) out.push(`${at}: missing keys ${missing.join(", ")}`);
    if (extra.length) out.push(`${at}: extra keys ${extra.join(", ")}`);
    for (const [key, value] of Object.entries(recorded)) {
      if (!(key in local) || key in NOT_COMPARED) continue;
      out.push(...differences(value, local[key], ids, superseded, `${at}.${key}`));
    }
    return out;
  }
  const expected = typeof recorded === "string" ? ids.map(recorded) : recorded;
  return expected === local
    ? []
    : [`${at}: recorded ${JSON.stringify(expected)}, local ${JSON.stringify(local)}`];
}

export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
