/**
 * What Auth0's eventually consistent searches answer from (rule `consistency.search-lag`): a
 * second copy of a collection that takes in each write only `lagMs` after it happened. Reads by
 * id (and `users-by-email`) go to the collection itself, which is immediately consistent (rule
 * `consistency.immediate-reads`).
 *
 * Records are never changed in place (updates put new objects), so the copy shares them with
 * the collection; only its indexes cost memory.
 */
import { Collection, type Doc } from "./collection";

interface PendingWrite<T> {
  at: number;
  id: string;
  /** The record put, undefined for a delete, "clear" for a clear. */
  doc: T | undefined | "clear";
}

export class SearchView<T extends Doc> {
  private readonly view: Collection<T>;
  private readonly pending: PendingWrite<T>[] = [];
  private head = 0;
  /** When each visible record was last written (ms since epoch), for `updated_at` sorting. */
  private readonly writtenAt = new Map<string, number>();

  constructor(
    source: Collection<T>,
    idOf: (doc: T) => string,
    private lagMs = 0,
  ) {
    this.view = new Collection<T>(idOf, source.indexedPaths);
    source.observe((id, doc) => {
      this.pending.push({ at: Date.now(), id, doc });
      if (this.lagMs <= 0) this.apply(Number.POSITIVE_INFINITY);
    });
  }

  get lag(): number {
    return this.lagMs;
  }

  /** Sets how long a write takes to reach searches (0: at once). */
  setLag(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`search lag must be ≥ 0 ms, got ${ms}`);
    this.lagMs = ms;
    if (ms === 0) this.settle();
  }

  /** Makes every write so far visible (state loaded from disk, a reset: older than any lag). */
  settle(): void {
    this.apply(Number.POSITIVE_INFINITY);
  }

  /** The collection as a search sees it now. */
  current(now = Date.now()): Collection<T> {
    this.apply(now - this.lagMs);
    return this.view;
  }

  /** When the search copy last took in a write of this record. */
  writtenAtOf(id: string): number {
    return this.writtenAt.get(id) ?? 0;
  }

  private apply(until: number): void {
    while (this.head < this.pending.length) {
      const write = this.pending[this.head] as PendingWrite<T>;
      if (write.at > until) break;
      this.head++;
      if (write.doc === "clear") {
        this.view.clear();
        this.writtenAt.clear();
      } else if (write.doc === undefined) {
        this.view.delete(write.id);
        this.writtenAt.delete(write.id);
      } else {
        this.view.put(write.doc);
        this.writtenAt.set(write.id, write.at);
      }
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
  }
}
