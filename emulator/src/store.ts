/**
 * One tenant's state: clients, client grants, users (with password hashes kept apart),
 * resource servers, tenant settings, the token signing key and refresh tokens. Persisted as one
 * JSON file, written atomically (temp file + rename) and debounced, so it survives restarts.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Collection, type Doc, type Json } from "./collection";
import type { EntityPlanName } from "./management/entity-limits";
import { SearchView } from "./search-view";

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
  /** Records of modules that keep their own shapes (management/tenant-config.ts). */
  sections?: Record<string, Json>;
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
  /** What eventually consistent searches see (`GET /clients/search`, `GET /clients?q`). */
  readonly clientSearch = new SearchView(this.clients, (c) => c.client_id as string);
  /** What user search sees (`GET /users`, with or without `q`). */
  readonly userSearch = new SearchView(this.users, (u) => u.user_id as string);
  passwords = new Map<string, string>();
  /**
   * Rule `clients.rotate.delay`: a rotated secret's predecessor, kept working (and the new one
   * refused) until `effectiveAt`. Memory only: after a restart the new secret works at once.
   */
  readonly secretRotations = new Map<string, { effectiveAt: number }>();
  /** How long a rotated secret takes to work, in ms. */
  rotationDelayMs = 0;
  /** Auth0 entity limits by plan (management/entity-limits.ts, rule `entities.plan`). */
  entityPlan: EntityPlanName = "unlimited";
  refreshTokens = new Map<string, RefreshTokenRecord>();
  settings: Doc = {};
  /** Records of modules that keep their own shapes (management/tenant-config.ts), by section. */
  sections: Record<string, Json> = {};
  signingKey: Doc | undefined;
  domain: string | undefined;

  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** How long the last write took: big states are written less often (at most ~10% busy). */
  private lastWriteMs = 0;
  /** Bumped by every write; a background write that is no longer the latest gives up. */
  private writeGeneration = 0;

  constructor(
    readonly dir: string,
    private readonly debounceMs = 200,
    searchLagMs = 0,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.load();
    this.setSearchLag(searchLagMs);
  }

  private get file(): string {
    return path.join(this.dir, STATE_FILE);
  }

  private load(): void {
    // Temp files of background writes a stopped process left behind.
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(`${STATE_FILE}.`) && name.endsWith(".tmp")) {
        rmSync(path.join(this.dir, name), { force: true });
      }
    }
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
    this.sections = snapshot.sections ?? {};
    this.settleSearches();
  }

  /** How long writes take to reach searches, in ms (rule `consistency.search-lag`). */
  setSearchLag(ms: number): void {
    this.clientSearch.setLag(ms);
    this.userSearch.setLag(ms);
  }

  get searchLagMs(): number {
    return this.clientSearch.lag;
  }

  /** Every write so far becomes visible to searches (loaded state, a reset). */
  private settleSearches(): void {
    this.clientSearch.settle();
    this.userSearch.settle();
  }

  /** Marks the state changed; it is written after a short quiet period. */
  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush(true);
      },
      Math.max(this.debounceMs, 10 * this.lastWriteMs),
    );
    this.timer.unref();
  }

  /**
   * Writes if anything changed: now (close, reset), or in the background, serialized in slices
   * so that a big state (10,000 users) never stalls requests for long.
   */
  flush(background = false): void {
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
      sections: this.sections,
    };
    if (background) {
      this.writeInSlices(snapshot, started).catch((err: Error) => {
        this.dirty = true; // try again with the next change
        console.error(`emulator: could not write ${this.file}: ${err.message}`);
      });
      return;
    }
    this.writeGeneration++;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.lastWriteMs = Date.now() - started;
  }

  /**
   * The same JSON as `JSON.stringify(snapshot)`, built 500 records at a time with a yield to the
   * event loop between slices. Records are never changed in place (updates put new objects), so
   * the snapshot taken before the first slice stays consistent.
   */
  private async writeInSlices(snapshot: Snapshot, started: number): Promise<void> {
    const generation = ++this.writeGeneration;
    const superseded = () => generation !== this.writeGeneration;
    const parts: string[] = [];
    for (const [key, value] of Object.entries(snapshot)) {
      if (value === undefined) continue;
      parts.push(`${parts.length === 0 ? "{" : ","}${JSON.stringify(key)}:`);
      if (!Array.isArray(value)) {
        parts.push(JSON.stringify(value));
        continue;
      }
      parts.push("[");
      for (let i = 0; i < value.length; i += 500) {
        const slice = value.slice(i, i + 500).map((v) => JSON.stringify(v));
        parts.push(`${i === 0 ? "" : ","}${slice.join(",")}`);
        await new Promise((resolve) => setImmediate(resolve));
        if (superseded()) return;
      }
      parts.push("]");
    }
    parts.push("}");
    const tmp = `${this.file}.${process.pid}.${generation}.tmp`;
    try {
      await writeFile(tmp, parts.join(""), { mode: 0o600 });
      if (superseded()) {
        await rm(tmp, { force: true });
        return;
      }
      renameSync(tmp, this.file);
      this.lastWriteMs = Date.now() - started;
    } catch (err) {
      // The folder went away (a test's temp state removed after close): nothing to keep.
      await rm(tmp, { force: true }).catch(() => undefined);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  /** Forgets everything, in memory and on disk (the signing key too). */
  reset(): void {
    this.writeGeneration++; // a background write in progress must not bring the old state back
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.clients.clear();
    this.grants.clear();
    this.users.clear();
    this.resourceServers.clear();
    this.passwords.clear();
    this.secretRotations.clear();
    this.refreshTokens.clear();
    this.settings = {};
    this.sections = {};
    this.signingKey = undefined;
    this.domain = undefined;
    this.settleSearches();
    rmSync(this.file, { force: true });
  }
}
