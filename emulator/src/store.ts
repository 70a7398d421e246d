/**
 * One tenant's state: clients, client grants, users (with password hashes kept apart),
 * resource servers, tenant settings, the token signing key and refresh tokens. Persisted as one
 * JSON file, written atomically (temp file + rename) and debounced, so it survives restarts.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Collection, type Doc } from "./collection";

export interface RefreshTokenRecord {
  client_id: string;
  user_id: string;
  scope: string;
  audience?: string;
  expires_at: number;
  /** Tokens rotated from one another share a family (reuse of a rotated one revokes it). */
  family: string;
  /** Set once the token has been exchanged under rotation. */
  rotated?: boolean;
}

interface Snapshot {
  version: 1;
  /** The `localhost:PORT` the state was made on (the Management API audience depends on it). */
  domain?: string;
  signingKey?: Doc;
  clients: Doc[];
  grants: Doc[];
  users: Doc[];
  passwords: Record<string, string>;
  resourceServers: Doc[];
  settings: Doc;
  refreshTokens: Record<string, RefreshTokenRecord>;
}

const STATE_FILE = "state.json";

export class TenantStore {
  readonly clients = new Collection<Doc>(
    (c) => c.client_id as string,
    ["client_metadata.teamId", "client_metadata.astral", "app_type"],
  );
  readonly grants = new Collection<Doc>((g) => g.id as string, ["client_id", "audience"]);
  readonly users = new Collection<Doc>(
    (u) => u.user_id as string,
    ["email", "app_metadata.teamId", "app_metadata.permissions"],
  );
  readonly resourceServers = new Collection<Doc>((r) => r.id as string, ["identifier"]);
  passwords = new Map<string, string>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  settings: Doc = {};
  signingKey: Doc | undefined;
  domain: string | undefined;

  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** How long the last write took: big states are written less often (at most ~10% busy). */
  private lastWriteMs = 0;

  constructor(
    readonly dir: string,
    private readonly debounceMs = 200,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.load();
  }

  private get file(): string {
    return path.join(this.dir, STATE_FILE);
  }

  private load(): void {
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(readFileSync(this.file, "utf8")) as Snapshot;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new Error(`tenant state ${this.file} is unreadable (reset it to start over)`);
    }
    this.signingKey = snapshot.signingKey;
    this.domain = snapshot.domain;
    for (const c of snapshot.clients) this.clients.put(c);
    for (const g of snapshot.grants) this.grants.put(g);
    for (const u of snapshot.users) this.users.put(u);
    for (const r of snapshot.resourceServers) this.resourceServers.put(r);
    this.passwords = new Map(Object.entries(snapshot.passwords));
    this.refreshTokens = new Map(Object.entries(snapshot.refreshTokens));
    this.settings = snapshot.settings;
  }

  /** Marks the state changed; it is written after a short quiet period. */
  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(this.debounceMs, 10 * this.lastWriteMs),
    );
    this.timer.unref();
  }

  /** Writes now if anything changed. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const started = Date.now();
    const snapshot: Snapshot = {
      version: 1,
      domain: this.domain,
      signingKey: this.signingKey,
      clients: [...this.clients.all()],
      grants: [...this.grants.all()],
      users: [...this.users.all()],
      passwords: Object.fromEntries(this.passwords),
      resourceServers: [...this.resourceServers.all()],
      settings: this.settings,
      refreshTokens: Object.fromEntries(this.refreshTokens),
    };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.lastWriteMs = Date.now() - started;
  }

  /** Forgets everything, in memory and on disk (the signing key too). */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.clients.clear();
    this.grants.clear();
    this.users.clear();
    this.resourceServers.clear();
    this.passwords.clear();
    this.refreshTokens.clear();
    this.settings = {};
    this.signingKey = undefined;
    this.domain = undefined;
    rmSync(this.file, { force: true });
  }
}
