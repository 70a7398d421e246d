/**
 * Replays go-auth0's recorded cassettes, in order, against a local tenant: each request is sent as
 * recorded, with the ids learned from earlier answers mapped onto it, and each answer is compared
 * with the recorded one as go-auth0's recorder would have saved it (recorder-view.ts).
 */
import type { BootstrapCredentials, TenantHandle } from "../../src/index";
import { type Cassette, type Interaction, RECORDED_HOST, RECORDED_TENANT } from "./cassettes";
import { differences, IdMap, parseJson, statusOnly, supersededKeys } from "./compare";
import { recorderView } from "./recorder-view";

export interface InteractionResult {
  cassette: string;
  index: number;
  request: string;
  /** False when the local tenants do not implement the operation (counted apart). */
  served: boolean;
  /** Compared by status code only (STATUS_ONLY, with its reason). */
  statusOnly: boolean;
  differences: string[];
}

export interface ReplayTarget {
  tenant: TenantHandle;
  bootstrap: BootstrapCredentials;
  /** A Management API token with every scope. */
  token: string;
  /** Ids of records the tenant held before the replay (the recorded tenant held others). */
  preexisting: ReadonlySet<string>;
}

/** The router's answer for an operation of Auth0's document it does not implement, or no route. */
function notServed(status: number, body: unknown): boolean {
  const message = (body as { message?: unknown } | undefined)?.message;
  return (
    status === 404 &&
    typeof message === "string" &&
    (message === "Not Found" || message.startsWith("Not Found: the local tenants do not implement"))
  );
}

/**
 * go-auth0's authentication recorder replaced the client's credentials with `test-<param>` and the
 * audience was the test's placeholder: they stand for the replay client and the Management API.
 */
function authenticationBody(body: string, target: ReplayTarget): string {
  const params = new URLSearchParams(body);
  const stand: Record<string, string> = {
    client_id: target.bootstrap.clientId,
    client_secret: target.bootstrap.clientSecret,
    audience: target.bootstrap.audience,
  };
  for (const [key, value] of [...params]) {
    if (value === `test-${key}` || value === "test-audience") params.set(key, stand[key] ?? value);
  }
  return params.toString();
}

/** Leaves out of a list answer the records the local tenant held before the replay started. */
function withoutPreexisting(body: unknown, preexisting: ReadonlySet<string>): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const envelope = { ...(body as Record<string, unknown>) };
  for (const key of ["clients", "resource_servers", "client_grants", "users"]) {
    const items = envelope[key];
    if (!Array.isArray(items)) continue;
    const kept = items.filter((item: Record<string, unknown>) => {
      const id = String(item.client_id ?? item.id ?? item.user_id ?? "");
      return key === "client_grants" ? !preexisting.has(String(item.id)) : !preexisting.has(id);
    });
    if (typeof envelope.total === "number") envelope.total -= items.length - kept.length;
    envelope[key] = kept;
  }
  return envelope;
}

/** The latest `created_at`/`updated_at` in a recorded answer: the recording's clock. */
function latestTimestamp(value: unknown, latest = 0): number {
  if (Array.isArray(value)) return value.reduce((t: number, v) => latestTimestamp(v, t), latest);
  if (!value || typeof value !== "object") return latest;
  let out = latest;
  for (const [key, v] of Object.entries(value)) {
    if ((key === "created_at" || key === "updated_at") && typeof v === "string")
      out = Math.max(out, Date.parse(v) || 0);
    else out = latestTimestamp(v, out);
  }
  return out;
}

/**
 * A date the test computed from its own clock (`expires_at`: "in ten minutes") is moved by as
 * much as the replay runs after the recording, so it means the same now.
 */
function shiftDates(body: string, recordedClock: number): string {
  if (!recordedClock || !body.includes('"expires_at"')) return body;
  const doc = JSON.parse(body) as Record<string, unknown>;
  if (typeof doc.expires_at === "string")
    doc.expires_at = new Date(
      Date.parse(doc.expires_at) + Date.now() - recordedClock,
    ).toISOString();
  return JSON.stringify(doc);
}

async function send(
  interaction: Interaction,
  ids: IdMap,
  target: ReplayTarget,
  recordedClock: number,
): Promise<{ status: number; body: unknown }> {
  const url = ids.rewrite(interaction.url);
  const headers: Record<string, string> = {};
  let body: string | undefined = interaction.requestBody;
  if (body === "null" || body === "") body = undefined;
  if (url.startsWith("/api/v2/")) {
    headers.authorization = `Bearer ${target.token}`;
    if (body !== undefined) {
      body = shiftDates(ids.rewrite(body), recordedClock);
      headers["content-type"] = "application/json";
    }
  } else if (body !== undefined) {
    body = authenticationBody(body, target);
    headers["content-type"] = interaction.requestContentType || "application/x-www-form-urlencoded";
  }
  const res = await fetch(`${target.tenant.baseUrl}${url}`, {
    method: interaction.method,
    headers,
    body,
  });
  return { status: res.status, body: parseJson(await res.text()) };
}

export async function replayCassette(
  cassette: Cassette,
  target: ReplayTarget,
): Promise<InteractionResult[]> {
  const ids = new IdMap();
  ids.set(RECORDED_HOST, target.tenant.domain);
  ids.set(RECORDED_TENANT, target.tenant.name);
  const results: InteractionResult[] = [];
  let recordedClock = 0;
  for (const interaction of cassette.interactions) {
    const local = await send(interaction, ids, target, recordedClock);
    const request = `${interaction.method} ${interaction.url}`;
    const base = { cassette: cassette.name, index: interaction.index, request };
    if (notServed(local.status, local.body)) {
      results.push({ ...base, served: false, statusOnly: false, differences: [] });
      continue;
    }
    const recorded = parseJson(interaction.responseBody);
    recordedClock = latestTimestamp(recorded, recordedClock);
    const view = withoutPreexisting(
      recorderView(interaction.method, interaction.url, local.body, recorded),
      target.preexisting,
    );
    if (interaction.status < 300 && local.status < 300) ids.learn(recorded, view);
    const diffs =
      local.status === interaction.status
        ? []
        : [
            `status: recorded ${interaction.status}, local ${local.status} ${JSON.stringify((local.body as { message?: unknown } | undefined)?.message ?? "")}`,
          ];
    const onlyStatus = statusOnly(cassette.name, interaction.index);
    if (!onlyStatus) diffs.push(...differences(recorded, view, ids, supersededKeys(cassette.name)));
    results.push({ ...base, served: true, statusOnly: onlyStatus, differences: diffs });
  }
  return results;
}
