/** Identifiers: the portal's own (short, URL- and query-safe) and the Auth0 ids it accepts. */
import { randomBytes } from "node:crypto";

/**
 * A team id is its record's Auth0 client_id in the home tenant (ADR 0600): 32 letters and
 * digits, as Auth0 generates them.
 */
export const TEAM_ID = /^[A-Za-z0-9]{32}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${id}`;
}
