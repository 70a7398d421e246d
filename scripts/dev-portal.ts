/**
 * The portal half of `npm run dev`: writes portal/.env.local from the seeded local tenants
 * (session secret generated once and kept in .astral/), starts `next dev` on :3000 and prints
 * how to sign in. Called by scripts/dev.ts after the tenants are up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { searchLagFromEnv } from "../emulator/src/env-options";
import { localPortalEnv, toDotEnv } from "../portal/lib/config/local-env";
import type { DevTenants } from "./dev";

const root = path.resolve(__dirname, "..");
export const PORTAL_PORT = 3000;

function sessionSecret(): string {
  const file = path.join(root, ".astral", "portal-session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function startPortal(dev: DevTenants): ChildProcess {
  const baseUrl = `http://localhost:${PORTAL_PORT}`;
  const env = localPortalEnv(dev.seed, {
    baseUrl,
    sessionSecret: sessionSecret(),
    caCertPath: dev.caCertPath,
    auditLogFile: path.join(root, ".astral", "audit.log"),
    searchLagMs: searchLagFromEnv(),
    auth0Plan: dev.running.live.production.plan,
  });
  writeFileSync(path.join(root, "portal", ".env.local"), toDotEnv(env), { mode: 0o600 });
  const child = spawn(
    path.join(root, "node_modules", ".bin", "next"),
    ["dev", "-p", String(PORTAL_PORT)],
    {
      cwd: path.join(root, "portal"),
      stdio: "inherit",
      // Next's telemetry would phone home from a local try-out; opt in with NEXT_TELEMETRY_DISABLED=0.
      env: {
        NEXT_TELEMETRY_DISABLED: "1",
        ...process.env,
        NODE_EXTRA_CA_CERTS: dev.caCertPath,
      },
    },
  );
  const { admin } = dev.seed.production;
  console.log(
    [
      "",
      `Portal: ${baseUrl}  (portal/.env.local written; audit log in .astral/audit.log)`,
      `Sign in as the portal admin: ${admin.email} / ${admin.password}`,
      "Anyone else: \"Create an account\" on the portal's landing page (the tenant's sign-up).",
      "",
    ].join("\n"),
  );
  return child;
}
