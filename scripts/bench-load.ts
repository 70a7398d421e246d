/**
 * `npm run bench:load [-- --users N --teams N --seconds N --creators N --plan NAME]`: the
 * portal's load benchmark (scripts/bench/load/main.ts, type-checked with the portal:
 * portal/tsconfig.json). Prints per-page latencies, failures and Management calls with the read
 * cache on and off, and which of issue 16's targets were met.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const child = spawn(
  path.join(root, "node_modules", ".bin", "tsx"),
  [path.join(root, "scripts", "bench", "load", "main.ts"), ...process.argv.slice(2)],
  { stdio: "inherit" },
);
child.on("exit", (code) => process.exit(code ?? 1));
