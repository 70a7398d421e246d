/**
 * A lock across test processes: a folder (mkdir is atomic) holding its owner's pid. vitest runs
 * test files in several processes at once; a lock whose process is gone (killed mid-run) is taken
 * over rather than waited on until the deadline.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Takes the lock at `lock` (a folder path), waiting up to `waitMs`; resolves to its release. */
export async function lockDir(lock: string, waitMs: number): Promise<() => void> {
  const owner = path.join(lock, "pid");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(owner, "utf8"));
      } catch {
        // being written or removed: look again
      }
      if (pid > 0 && !alive(pid)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`${lock} still held by pid ${pid} after ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
