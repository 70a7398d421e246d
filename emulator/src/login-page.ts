/** The HTML of the login page and of error pages: small, plain, no scripts. */
import { escapeHtml } from "./http";

const STYLE = `
  body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;margin:0;
    display:flex;min-height:100vh;align-items:center;justify-content:center;color:#1e212a}
  main{background:#fff;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:40px;width:320px}
  h1{font-size:22px;margin:0 0 4px}p.sub{color:#65676e;margin:0 0 24px;font-size:14px}
  label{display:block;font-size:14px;margin:16px 0 6px}
  input{box-sizing:border-box;width:100%;padding:10px 12px;border:1px solid #c9cace;border-radius:4px;font-size:15px}
  button{margin-top:24px;width:100%;padding:11px;border:0;border-radius:4px;background:#635dff;color:#fff;
    font-size:15px;cursor:pointer}
  .error{background:#fdecea;color:#b3261e;padding:10px 12px;border-radius:4px;font-size:14px;margin-bottom:8px}
  p.alt{margin:20px 0 0;font-size:14px;text-align:center}a{color:#635dff}
  footer{margin-top:24px;font-size:12px;color:#8a8c93;text-align:center}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

interface PromptPage {
  tenant: string;
  appName: string;
  transaction: string;
  email?: string;
  error?: string;
}

/** One prompt: heading, error, the email + password form posting to `/u/<screen>`, a link. */
function prompt(
  opts: PromptPage,
  screen: {
    path: "/u/login" | "/u/signup";
    title: string;
    heading: string;
    verb: string;
    email: { name: "username" | "email"; autocomplete: string };
    newPassword: boolean;
    link?: { text: string; label: string; path: string };
  },
): string {
  const { link } = screen;
  return page(
    `${screen.title} | ${opts.appName}`,
    `<h1>${screen.heading}</h1><p class="sub">${screen.verb} to continue to ${escapeHtml(opts.appName)}.</p>
${opts.error ? `<div class="error" role="alert">${escapeHtml(opts.error)}</div>` : ""}
<form method="post" action="${screen.path}">
<input type="hidden" name="state" value="${escapeHtml(opts.transaction)}">
<label for="${screen.email.name}">Email address</label>
<input id="${screen.email.name}" name="${screen.email.name}" type="email" autocomplete="${screen.email.autocomplete}" required value="${escapeHtml(opts.email ?? "")}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="${screen.newPassword ? "new-password" : "current-password"}" required>
<button type="submit" name="action" value="default">Continue</button>
</form>${
      link
        ? `<p class="alt">${link.text} <a href="${link.path}?state=${encodeURIComponent(opts.transaction)}">${link.label}</a></p>`
        : ""
    }<footer>Local Auth0 tenant “${escapeHtml(opts.tenant)}”</footer>`,
  );
}

/** The login prompt; sign-up is linked when a database connection of the app allows it. */
export function loginPage(opts: PromptPage & { signUp?: boolean }): string {
  return prompt(opts, {
    path: "/u/login",
    title: "Log in",
    heading: "Welcome",
    verb: "Log in",
    email: { name: "username", autocomplete: "username" },
    newPassword: false,
    ...(opts.signUp
      ? { link: { text: "Don't have an account?", label: "Sign up", path: "/u/signup" } }
      : {}),
  });
}

/** The sign-up prompt (Universal Login's `/u/signup`, or `/authorize?screen_hint=signup`). */
export function signupPage(opts: PromptPage): string {
  return prompt(opts, {
    path: "/u/signup",
    title: "Sign up",
    heading: "Create your account",
    verb: "Sign up",
    email: { name: "email", autocomplete: "email" },
    newPassword: true,
    link: { text: "Already have an account?", label: "Log in", path: "/u/login" },
  });
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(message)}</p>`);
}
