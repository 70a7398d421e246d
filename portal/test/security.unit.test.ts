import { describe, expect, it } from "vitest";
import { auditLine } from "../lib/domain/audit";
import { isSameOrigin } from "../lib/origin";
import {
  contentSecurityPolicy,
  newNonce,
  STATIC_CSP,
  securityHeaders,
} from "../lib/security-headers";

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
  it("forbid framing everywhere; HSTS only in production", () => {
    for (const production of [true, false]) expect(get(production, "X-Frame-Options")).toBe("DENY");
    expect(get(true, "Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(get(false, "Strict-Transport-Security")).toBeUndefined();
    expect(STATIC_CSP).toContain("frame-ancestors 'none'");
  });

  it("page CSP: scripts only with this response's nonce, no inline, no eval in production", () => {
    const nonce = newNonce();
    expect(nonce).not.toBe(newNonce());
    expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    for (const production of [true, false]) {
      const csp = contentSecurityPolicy(production, nonce);
      const script = csp.split("; ").find((d) => d.startsWith("script-src")) ?? "";
      expect(script).toContain(`'nonce-${nonce}'`);
      expect(script).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
    }
    expect(contentSecurityPolicy(true, nonce)).not.toContain("unsafe-eval");
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
