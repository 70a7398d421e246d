/** What the OAuth endpoints share: in-memory flow state, token response shape, small helpers. */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Doc } from "../collection";

/** A login in progress: the /authorize request, waiting for the user's credentials. */
export interface Transaction {
  client_id: string;
  redirect_uri: string;
  scope: string;
  audience?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  response_mode: string;
  expires_at: number;
}

/** An issued authorization code (single use, short-lived). */
export interface CodeRecord extends Omit<Transaction, "state" | "response_mode"> {
  user_id: string;
  session_id: string;
  auth_time: number;
}

export interface Session {
  user_id: string;
  auth_time: number;
}

export const TRANSACTION_TTL_MS = 15 * 60 * 1000;
export const CODE_TTL_MS = 5 * 60 * 1000;
export const USER_TOKEN_LIFETIME = 86400;
export const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

/** Logins in progress, issued codes and browser sessions: memory only (lost on restart). */
export class FlowState {
  readonly transactions = new Map<string, Transaction>();
  readonly codes = new Map<string, CodeRecord>();
  readonly sessions = new Map<string, Session>();

  clear(): void {
    this.transactions.clear();
    this.codes.clear();
    this.sessions.clear();
  }

  prune(): void {
    const now = Date.now();
    for (const [k, t] of this.transactions) if (t.expires_at < now) this.transactions.delete(k);
    for (const [k, c] of this.codes) if (c.expires_at < now) this.codes.delete(k);
  }
}

/** Standard claims of a user for the granted OIDC scopes. */
export function profileClaims(user: Doc, scopes: string[]): Doc {
  const out: Doc = {};
  if (scopes.includes("profile")) {
    for (const k of ["name", "nickname", "picture", "given_name", "family_name", "updated_at"]) {
      const value = user[k];
      if (value !== undefined) out[k] = value;
    }
  }
  if (scopes.includes("email")) {
    out.email = user.email as string;
    out.email_verified = user.email_verified === true;
  }
  return out;
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Equal URLs, ignoring a trailing slash on the path (Auth0 is lenient there too). */
export function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

export function withParams(
  base: string,
  params: Record<string, string | null | undefined>,
): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  return url.toString();
}
