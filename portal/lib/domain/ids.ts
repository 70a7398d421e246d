/** Identifiers the portal generates: short, URL- and query-safe. */
import { randomBytes } from "node:crypto";

export const TEAM_ID = /^team_[a-z0-9]{16}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${id}`;
}
