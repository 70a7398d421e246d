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

/** Auth0's default ("fair") policy: 8+ characters with lower, upper case and digits. */
export function isStrongEnough(password: string): boolean {
  return (
    password.length >= 8 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)
  );
}
