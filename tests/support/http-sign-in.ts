/**
 * Signing a user in to a running portal over plain HTTP, as a browser would but without one:
 * `/auth/login` → the local tenant's login form (`/authorize`, then `POST /u/login`) → the
 * portal's `/auth/callback`, with a cookie jar. The image test, the standalone test and the load
 * benchmark sign users in this way: 50 users need no 50 browsers.
 */

/** Cookies by name, as the portal set them. */
export type CookieJar = Map<string, string>;

/** Takes the Set-Cookie headers of a response into the jar (an empty value deletes). */
export function remember(jar: CookieJar, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = (pair ?? "").indexOf("=");
    const name = (pair ?? "").slice(0, i);
    const value = (pair ?? "").slice(i + 1);
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

/** The jar as a Cookie request header. */
export const cookieHeader = (jar: CookieJar) =>
  [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

export interface SignInSteps {
  /** Where the portal's /auth/login sent the browser (the tenant's /authorize). */
  authorize: URL;
  /** Where the tenant's login form sent the browser (the portal's callback). */
  callback: string;
  /** The portal's answer to the callback. */
  done: Response;
}

/**
 * Signs `user` in to the portal at `appUrl`; the jar then holds the session cookie. Throws,
 * naming the step, when a step answers otherwise than a sign-in that worked.
 */
export async function signInOverHttp(
  appUrl: string,
  user: { email: string; password: string },
  jar: CookieJar = new Map(),
): Promise<{ jar: CookieJar; steps: SignInSteps }> {
  const login = await fetch(`${appUrl}/auth/login`, { redirect: "manual" });
  if (login.status !== 307) throw new Error(`/auth/login answered ${login.status}, not 307`);
  remember(jar, login);
  const authorize = new URL(login.headers.get("location") ?? "");
  const page = await fetch(authorize, { redirect: "manual" });
  const state = /name="state" value="([^"]+)"/.exec(await page.text())?.[1];
  if (page.status !== 200 || !state)
    throw new Error(`the tenant's login page answered ${page.status} without a form state`);
  const posted = await fetch(new URL("/u/login", authorize), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ state, username: user.email, password: user.password }),
  });
  const callback = posted.headers.get("location") ?? "";
  if (!callback.startsWith(`${appUrl}/auth/callback?`))
    throw new Error(
      `the tenant's login form answered ${posted.status}, not a redirect to the callback`,
    );
  const done = await fetch(callback, {
    redirect: "manual",
    headers: { cookie: cookieHeader(jar) },
  });
  remember(jar, done);
  return { jar, steps: { authorize, callback, done } };
}
