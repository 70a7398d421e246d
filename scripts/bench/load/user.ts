/**
 * One simulated person over HTTP: a cookie jar, a session from the real login flow
 * (tests/support/http-sign-in.ts), page views as a browser's navigation, and server actions as
 * the pages' forms send them (`Next-Action` with the action's id, the arguments as JSON, the
 * page's Origin). A view fails when it is not a 200 or shows the error panel.
 */
import {
  type CookieJar,
  cookieHeader,
  remember,
  signInOverHttp,
} from "../../../tests/support/http-sign-in";
import type { BenchUser } from "./population";

/** The portal's answer to a Management 429 it could not absorb (lib/management/tenant.ts). */
const RATE_LIMITED = /is rate limiting the portal/;
const ERROR_PANEL = 'data-testid="error-panel"';

export interface Outcome {
  ms: number;
  ok: boolean;
  rateLimited: boolean;
  detail?: string;
}

export type ActionAnswer<T> = Outcome & { data?: T };

export class PortalUser {
  readonly jar: CookieJar = new Map();

  constructor(
    readonly url: string,
    readonly who: BenchUser,
  ) {}

  async signIn(): Promise<void> {
    const { steps } = await signInOverHttp(this.url, this.who, this.jar);
    if (steps.done.status !== 307 || !this.jar.has("__session"))
      throw new Error(
        `${this.who.email} did not get a session (callback answered ${steps.done.status})`,
      );
  }

  async view(page: string): Promise<Outcome> {
    const send = () =>
      fetch(`${this.url}${page}`, {
        redirect: "manual",
        headers: { cookie: cookieHeader(this.jar) },
      });
    return this.timed(send, (res, html) => {
      const panel = html.includes(ERROR_PANEL);
      const ok = res.status === 200 && !panel;
      return {
        ok,
        rateLimited: !ok && (res.status === 429 || RATE_LIMITED.test(html)),
        ...(ok ? {} : { detail: `${page} ${res.status}${panel ? `: ${panelMessage(html)}` : ""}` }),
      };
    });
  }

  /** Calls a server action from `page`; its ActionResult (ok, data or error) decides. */
  action<T>(page: string, actionId: string, input: unknown): Promise<ActionAnswer<T>> {
    const send = () =>
      fetch(`${this.url}${page}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          cookie: cookieHeader(this.jar),
          origin: this.url,
          accept: "text/x-component",
          "content-type": "text/plain;charset=UTF-8",
          "next-action": actionId,
        },
        body: JSON.stringify([input]),
      });
    return this.timed(send, (res, body) => {
      const result = actionResult(body);
      if (res.status === 200 && result?.ok)
        return { ok: true, rateLimited: false, data: result.data as T };
      const code = result && !result.ok ? result.error?.code : undefined;
      return {
        ok: false,
        rateLimited: code === "rate_limited" || res.status === 429,
        detail:
          `${res.status} ${code ?? "no action result"} ${result?.error?.message ?? ""}`.trim(),
      };
    });
  }

  /**
   * Runs `work` (a create) while asking GET /api/rate-wait each second, as the pending create
   * form does; says whether any answer named a wait (the form's "Waiting for … rate limit").
   */
  async pollingRateWait<T>(work: Promise<T>): Promise<{ result: T; waitShown: boolean }> {
    let done = false;
    let waitShown = false;
    const poll = async () => {
      while (!done) {
        try {
          const res = await fetch(`${this.url}/api/rate-wait`, {
            headers: { cookie: cookieHeader(this.jar) },
          });
          const body = (await res.json()) as { waits?: Array<{ waitMs: number }> };
          if (!done && body.waits?.some((w) => w.waitMs > 0)) waitShown = true;
        } catch {
          // only a hint, as in the page
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void poll();
    try {
      return { result: await work, waitShown };
    } finally {
      done = true;
    }
  }

  /** Sends, keeps the cookies the answer sets, and times until the whole body is read. */
  private async timed<T>(
    send: () => Promise<Response>,
    judge: (res: Response, body: string) => Omit<ActionAnswer<T>, "ms">,
  ): Promise<ActionAnswer<T>> {
    const started = performance.now();
    try {
      const res = await send();
      remember(this.jar, res);
      const body = await res.text();
      return { ms: performance.now() - started, ...judge(res, body) };
    } catch (error) {
      return {
        ms: performance.now() - started,
        ok: false,
        rateLimited: false,
        detail: String(error),
      };
    }
  }
}

/** The error panel's message (components/panels.tsx), without its request id. */
export function panelMessage(html: string): string {
  const panel = html.slice(html.indexOf(ERROR_PANEL));
  return /text-red-700">([^<]*)</.exec(panel)?.[1] ?? "error panel";
}

type ResultShape = { ok: boolean; data?: unknown; error?: { code: string; message: string } };

/**
 * The action's return value in the React Server Components answer: one `id:JSON` row per line,
 * the value being the row that holds `ok`.
 */
export function actionResult(body: string): ResultShape | undefined {
  for (const line of body.split("\n")) {
    const json = line.slice(line.indexOf(":") + 1);
    if (!json.startsWith("{")) continue;
    try {
      const value = JSON.parse(json) as Partial<ResultShape>;
      if (typeof value.ok === "boolean") return value as ResultShape;
    } catch {
      // another row
    }
  }
  return undefined;
}
