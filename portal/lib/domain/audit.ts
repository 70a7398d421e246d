/**
 * The audit log: one JSON line per credential, team and admin action, to stdout and (in local
 * development) appended to a file. Lines never carry secrets: callers pass ids and names only,
 * and `write` drops any field whose name says it holds a secret, as a second line of defence.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";

export interface AuditEntry {
  time: string;
  requestId: string;
  actor: { userId: string; email: string } | null;
  action: string;
  target: Record<string, string | undefined>;
  environment?: string | undefined;
  outcome: "success" | "denied" | "error";
  errorCode?: string | undefined;
}

export type AuditSink = (entry: AuditEntry) => void;

const SECRET_FIELD = /secret|token|password/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_FIELD.test(key))
        .map(([key, v]) => [key, redact(v)]),
    );
  return value;
}

export function auditLine(entry: AuditEntry): string {
  return JSON.stringify({ type: "audit", ...(redact(entry) as object) });
}

/** Writes to stdout, and also to `file` when given (created with its directory). */
export function createAuditSink(file?: string): AuditSink {
  if (file) mkdirSync(/* turbopackIgnore: true */ path.dirname(file), { recursive: true });
  return (entry) => {
    const line = auditLine(entry);
    process.stdout.write(`${line}\n`);
    if (file) appendFileSync(/* turbopackIgnore: true */ file, `${line}\n`);
  };
}
