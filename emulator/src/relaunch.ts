/**
 * Node reads `NODE_EXTRA_CA_CERTS` only when it starts. A script that talks HTTPS to the local
 * tenants calls `relaunchWithLocalCa()` first: without the variable, it runs itself again as a
 * child with it set (signals forwarded, exit code passed on) and returns true.
 */
import { spawn } from "node:child_process";
import { ensureLocalCa } from "./ca";

export function relaunchWithLocalCa(): boolean {
  const { caCertPath } = ensureLocalCa();
  if (process.env.NODE_EXTRA_CA_CERTS === caCertPath) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}
