/** The local CA: made once, keys private, the server certificate valid for localhost and 127.0.0.1. */
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureLocalCa } from "../src/ca";

const dir = mkdtempSync(path.join(os.tmpdir(), "astral-ca-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureLocalCa", () => {
  it("makes a CA and a localhost certificate it signed, once", () => {
    const first = ensureLocalCa(dir);
    const ca = new X509Certificate(readFileSync(first.caCertPath));
    const server = new X509Certificate(readFileSync(first.serverCertPath));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    // For clients that refuse localhost as an Auth0 domain (the image test).
    expect(server.checkHost("production.tenants.test")).toBe("*.tenants.test");
    expect(server.checkHost("example.com")).toBeUndefined();
    for (const key of ["ca.key.pem", "server.key.pem"]) {
      expect(statSync(path.join(dir, key)).mode & 0o077).toBe(0);
    }
    const again = ensureLocalCa(dir);
    expect(readFileSync(again.caCertPath, "utf8")).toBe(readFileSync(first.caCertPath, "utf8"));
    expect(readFileSync(again.serverCertPath, "utf8")).toBe(
      readFileSync(first.serverCertPath, "utf8"),
    );
  });

  it("reissues a server certificate that its CA did not sign", () => {
    const other = mkdtempSync(path.join(os.tmpdir(), "astral-ca-other-"));
    try {
      const foreign = ensureLocalCa(other);
      const { serverCertPath, caCertPath } = ensureLocalCa(dir);
      // Put a certificate from another CA in place: the next call must replace it.
      copyFileSync(foreign.serverCertPath, serverCertPath);
      ensureLocalCa(dir);
      const server = new X509Certificate(readFileSync(serverCertPath));
      expect(server.checkIssued(new X509Certificate(readFileSync(caCertPath)))).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
