/**
 * Password hashes for local users (scrypt). The cost is kept low on purpose: these are local
 * development accounts, and seeding 10,000 users for the benchmark must stay quick. The cost is
 * stored with each hash (`scrypt$N$salt$hash`), so changing it never locks anyone out.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const COST = 256;
/** Hashes written before the cost was stored (`scrypt$salt$hash`) used this one. */
const LEGACY_COST = 1024;

function derive(password: string, salt: Buffer, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, COST);
  return `scrypt$${COST}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(
  password: string,
  stored: string | undefined,
): Promise<boolean> {
  const parts = (stored ?? "").split("$");
  if (parts[0] !== "scrypt") return false;
  const [cost, salt, hash] =
    parts.length === 4 ? parts.slice(1) : [String(LEGACY_COST), ...parts.slice(1)];
  const N = Number(cost);
  if (!salt || !hash || !Number.isInteger(N) || N < 2 || N > 1 << 20) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), N);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Auth0's password policies (rule `users.password-policy`): "Fair: at least 8 characters
 * including a lower-case letter, an upper-case letter, and a number"; "Good: at least 8 characters
 * including at least 3 of the following 4 types of characters: a lower-case letter, an
 * upper-case letter, a number, a special character"; "Excellent": 10 characters, 3 of the 4, no
 * more than 2 identical characters in a row. Any printable character that is not a letter or a
 * digit counts as special, a space too (go-auth0's recording: "I have a password and its a
 * secret" is accepted under `good`).
 */
export type PasswordPolicy = "none" | "low" | "fair" | "good" | "excellent";

export function meetsPasswordPolicy(password: string, policy: PasswordPolicy = "good"): boolean {
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((k) => k.test(password)).length;
  switch (policy) {
    case "none":
      return password.length >= 1;
    case "low":
      return password.length >= 6;
    case "fair":
      return (
        password.length >= 8 &&
        /[a-z]/.test(password) &&
        /[A-Z]/.test(password) &&
        /\d/.test(password)
      );
    case "good":
      return password.length >= 8 && kinds >= 3;
    default:
      return password.length >= 10 && kinds >= 3 && !/(.)\1\1/.test(password);
  }
}
