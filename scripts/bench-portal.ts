/**
 * `npx tsx scripts/bench-portal.ts [--users N] [--clients N] [--teams N] [--runs N]`: the portal's
 * Management API benchmark (scripts/bench/portal/management-calls.ts, type-checked with the portal: portal/tsconfig.json).
 * Prints Management calls and server time per page, portal approach vs list-everything.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const child = spawn(
  path.join(root, "node_modules", ".bin", "tsx"),
  [path.join(root, "scripts", "bench", "portal", "management-calls.ts"), ...process.argv.slice(2)],
  { stdio: "inherit" },
);
child.on("exit", (code) => process.exit(code ?? 1));
