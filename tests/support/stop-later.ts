/**
 * Servers and processes a test file starts (local tenants, `next dev`, `server.js`), stopped when
 * the file ends, even when the `beforeAll` that started them timed out or failed half-way.
 *
 * vitest gives up on a timed-out hook but cannot stop it: the start goes on in the background,
 * and an `afterAll` that stops what the hook assigned finds nothing yet (`await` has not
 * returned), so a detached `next dev` kept running after the run. Instead, whatever starts a
 * server registers its stop the moment the server exists (`stopWhenFileEnds`);
 * `tests/support/remove-temp-dirs.ts`, a vitest setup file, runs them after the file's own hooks
 * (`stopAllStarted`), and a stop registered after that (a start that outlived its file) runs at
 * once. Stops are wrapped to run once, so an `afterAll` may still stop things itself first.
 */

export interface Stops {
  /** Registers `stop` (last registered, first run) and returns it wrapped to run only once. */
  add(stop: () => unknown): () => Promise<void>;
  /** Runs every registered stop; one registered later runs at once. Rejects with their errors. */
  runAll(): Promise<void>;
}

/** Runs `stop` once, however often and concurrently it is called. */
export function once(stop: () => unknown): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= (async () => {
      await stop();
    })();
    return running;
  };
}

export function createStops(): Stops {
  const pending: (() => Promise<void>)[] = [];
  let ended = false;
  return {
    add(stop) {
      const wrapped = once(stop);
      if (ended) wrapped().catch((error) => console.error("stopping a late start failed:", error));
      else pending.push(wrapped);
      return wrapped;
    },
    async runAll() {
      ended = true;
      const errors: unknown[] = [];
      for (const stop of pending.splice(0).reverse()) await stop().catch((e) => errors.push(e));
      if (errors.length > 0) throw new AggregateError(errors, "stopping what the tests started");
    },
  };
}

const fileStops = createStops();

/** Stops `stop`'s server when this test file ends (see above); returns it, wrapped to run once. */
export function stopWhenFileEnds(stop: () => unknown): () => Promise<void> {
  return fileStops.add(stop);
}

/** Stops everything this test file started (the setup file calls it after the file's hooks). */
export function stopAllStarted(): Promise<void> {
  return fileStops.runAll();
}
