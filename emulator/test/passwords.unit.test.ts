import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, isStrongEnough, verifyPassword } from "../src/passwords";

describe("passwords", () => {
  it("verifies what it hashed and nothing else", async () => {
    const stored = await hashPassword("Passw0rd-long");
    expect(stored).toMatch(/^scrypt\$\d+\$/);
    expect(await verifyPassword("Passw0rd-long", stored)).toBe(true);
    expect(await verifyPassword("Passw0rd-lonG", stored)).toBe(false);
    expect(await verifyPassword("Passw0rd-long", undefined)).toBe(false);
    expect(await verifyPassword("Passw0rd-long", "scrypt$x$y")).toBe(false);
  });

  it("still verifies hashes written before the cost was stored", async () => {
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString("base64")}$${scryptSync("Old-Passw0rd", salt, 32, { N: 1024, r: 8, p: 1 }).toString("base64")}`;
    expect(await verifyPassword("Old-Passw0rd", legacy)).toBe(true);
  });

  it("applies Auth0's default strength policy", () => {
    expect(isStrongEnough("Passw0rd")).toBe(true);
    expect(isStrongEnough("password1")).toBe(false);
    expect(isStrongEnough("Sh0rt")).toBe(false);
  });
});
