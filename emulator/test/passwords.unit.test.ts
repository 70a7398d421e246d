import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, meetsPasswordPolicy, verifyPassword } from "../src/passwords";

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

  it("applies Auth0's strength policies (rule users.password-policy)", () => {
    // good (a new tenant's): 8+ characters of 3 of the 4 kinds; a space is a special character.
    expect(meetsPasswordPolicy("Passw0rd", "good")).toBe(true);
    expect(meetsPasswordPolicy("I have a password and its a secret", "good")).toBe(true);
    expect(meetsPasswordPolicy("password1", "good")).toBe(false);
    expect(meetsPasswordPolicy("Sh0rt!", "good")).toBe(false);
    // fair: lower, upper and a digit, whatever else.
    expect(meetsPasswordPolicy("I have a password and its a secret", "fair")).toBe(false);
    expect(meetsPasswordPolicy("Passw0rd", "fair")).toBe(true);
    // excellent: 10+, 3 of 4, no character three times in a row.
    expect(meetsPasswordPolicy("Passw0rd-long", "excellent")).toBe(true);
    expect(meetsPasswordPolicy("Passw000rd-long", "excellent")).toBe(false);
    expect(meetsPasswordPolicy("Passw0rd", "excellent")).toBe(false);
    expect(meetsPasswordPolicy("abcdef", "low")).toBe(true);
    expect(meetsPasswordPolicy("abcde", "low")).toBe(false);
    expect(meetsPasswordPolicy("a", "none")).toBe(true);
  });
});
