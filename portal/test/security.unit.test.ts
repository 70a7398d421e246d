import { describe, expect, it } from "vitest";
import { type AuditEntry, auditLine } from "../lib/domain/audit";
import { isSameOrigin, refuseCrossOriginMutation } from "../lib/origin";
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

describe("refused cross-origin mutations are audited", () => {
  const base = "https://portal.example.com";
  const attempt = (method: string, path: string, origin?: string) => {
    const lines: AuditEntry[] = [];
    const headers = new Headers({ cookie: "__session=secret-cookie-value" });
    if (origin) headers.set("origin", origin);
    const response = refuseCrossOriginMutation(
      new Request(`${base}${path}`, { method, headers }),
      base,
      (entry) => lines.push(entry),
    );
    return { response, lines };
  };

  it("a POST from another origin gets 403 and one audit line naming origin, path, request id", async () => {
    const { response, lines } = attempt("POST", "/credentials/sandbox", "https://evil.example");
    expect(response?.status).toBe(403);
    const body = (await response?.json()) as { code: string; requestId: string };
    expect(body.code).toBe("forbidden");
    expect(lines).toEqual([
      expect.objectContaining({
        requestId: body.requestId,
        action: "crossOriginRequest",
        outcome: "denied",
        errorCode: "forbidden",
        target: { origin: "https://evil.example", method: "POST", path: "/credentials/sandbox" },
      }),
    ]);
    expect(auditLine(lines[0] as AuditEntry)).not.toContain("secret-cookie-value");
  });

  it("a POST without an Origin header is refused and audited too", () => {
    const { response, lines } = attempt("POST", "/");
    expect(response?.status).toBe(403);
    expect(lines[0]?.target.origin).toBe("(none)");
  });

  it("same-origin mutations, reads and the login SDK's routes pass untouched", () => {
    for (const [method, path, origin] of [
      ["POST", "/", base],
      ["GET", "/", "https://evil.example"],
      ["POST", "/auth/backchannel-logout", undefined],
    ] as const) {
      const { response, lines } = attempt(method, path, origin);
      expect(response).toBeUndefined();
      expect(lines).toEqual([]);
    }
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
