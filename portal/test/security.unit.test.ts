import { describe, expect, it } from "vitest";
import { auditLine } from "../lib/domain/audit";
import { isSameOrigin } from "../lib/origin";
import { securityHeaders } from "../lib/security-headers";

describe("origin check on mutations", () => {
  it("accepts only the portal's own origin", () => {
    expect(isSameOrigin("https://portal.example.com", "https://portal.example.com")).toBe(true);
    expect(isSameOrigin("https://portal.example.com", "https://portal.example.com/")).toBe(true);
    expect(isSameOrigin("https://evil.example.com", "https://portal.example.com")).toBe(false);
    expect(isSameOrigin("http://portal.example.com", "https://portal.example.com")).toBe(false);
    expect(isSameOrigin(null, "https://portal.example.com")).toBe(false);
    expect(isSameOrigin("null", "https://portal.example.com")).toBe(false);
    expect(isSameOrigin("https://portal.example.com", undefined)).toBe(false);
  });
});

describe("security headers", () => {
  const get = (production: boolean, key: string) =>
    securityHeaders(production).find((h) => h.key === key)?.value;
  it("forbid framing and set a CSP everywhere; HSTS only in production", () => {
    for (const production of [true, false]) {
      expect(get(production, "Content-Security-Policy")).toContain("frame-ancestors 'none'");
      expect(get(production, "Content-Security-Policy")).toContain("default-src 'self'");
      expect(get(production, "X-Frame-Options")).toBe("DENY");
    }
    expect(get(true, "Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(get(false, "Strict-Transport-Security")).toBeUndefined();
    expect(get(true, "Content-Security-Policy")).not.toContain("unsafe-eval");
  });
});

describe("audit lines", () => {
  it("are one JSON object per line and drop secret-looking fields", () => {
    const line = auditLine({
      time: "2026-01-01T00:00:00.000Z",
      requestId: "r1",
      actor: { userId: "auth0|1", email: "a@example.com" },
      action: "createCredential",
      target: { teamId: "team_x", clientSecret: "s3cr3t", client_secret: "s3cr3t" },
      outcome: "success",
    });
    expect(line).not.toContain("\n");
    expect(line).not.toContain("s3cr3t");
    expect(JSON.parse(line)).toMatchObject({
      type: "audit",
      action: "createCredential",
      target: { teamId: "team_x" },
    });
  });
});
