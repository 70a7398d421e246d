/**
 * tests/support/stop-later.ts: what a test file starts is stopped when it ends, last started
 * first, each once, even when its start finishes after the file's teardown (a timed-out
 * beforeAll goes on in the background).
 */
import { describe, expect, it } from "vitest";
import { createStops, once } from "./support/stop-later";

describe("stops registered by a test file", () => {
  it("run last registered first, each once, also when the file's own hook stopped it already", async () => {
    const stops = createStops();
    const ran: string[] = [];
    stops.add(() => ran.push("tenants"));
    const stopServer = stops.add(async () => {
      await new Promise((r) => setTimeout(r, 5));
      ran.push("next dev");
    });
    await Promise.all([stopServer(), stopServer()]); // an afterAll stopping it, twice at once
    await stops.runAll();
    await stops.runAll();
    expect(ran).toEqual(["next dev", "tenants"]);
  });

  it("stop at once what is registered after the teardown ran (a start that outlived its hook)", async () => {
    const stops = createStops();
    await stops.runAll();
    let stopped = false;
    const stop = stops.add(() => {
      stopped = true;
    });
    await stop(); // the same run, awaited
    expect(stopped).toBe(true);
  });

  it("run every stop when some fail, then report the failures", async () => {
    const stops = createStops();
    const ran: string[] = [];
    stops.add(() => ran.push("first"));
    stops.add(() => {
      throw new Error("port already closed");
    });
    stops.add(() => ran.push("last"));
    const failure = await stops.runAll().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      "port already closed",
    ]);
    expect(ran).toEqual(["last", "first"]);
  });

  it("once: one run however often it is called", async () => {
    let runs = 0;
    const stop = once(async () => {
      runs++;
    });
    await Promise.all([stop(), stop()]);
    await stop();
    expect(runs).toBe(1);
  });
});
