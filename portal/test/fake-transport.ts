/** A stand-in for the Management API transport, for the read cache's unit tests. */

export const API = "https://tenant.example/api/v2";

/** A transport that answers each request with a counter, after `release()` when held. */
export function transport() {
  const seen: string[] = [];
  let n = 0;
  let held: Array<(refused?: boolean) => void> = [];
  let hold = false;
  let refuse = false;
  const headers: Headers[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    headers.push(new Headers(init?.headers));
    seen.push(`${init?.method ?? "GET"} ${url.slice(API.length)}`);
    if (refuse) {
      refuse = false;
      throw new Error("refused");
    }
    if (hold && (await new Promise<boolean | undefined>((resolve) => held.push(resolve))))
      throw new Error("refused");
    const status = url.includes("missing") ? 404 : 200;
    return new Response(JSON.stringify({ n: ++n }), { status });
  };
  return {
    fetch,
    seen,
    headers,
    holdNext: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      for (const r of held) r();
      held = [];
    },
    /** Fails what is held, as the bucket refuses a call past its wait. */
    refuseHeld: () => {
      hold = false;
      for (const r of held) r(true);
      held = [];
    },
    refuseNext: () => {
      refuse = true;
    },
  };
}
export const body = async (r: Response) => ((await r.json()) as { n: number }).n;
