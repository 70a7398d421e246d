"use client";
import { RECENT_COOKIE, RECENT_SECONDS, type RecentList, withRecent } from "@/lib/recent";

/** Notes an id the user just created, revoked or removed (see lib/recent.ts). */
export function rememberRecent(list: RecentList, id: string) {
  const name = RECENT_COOKIE(list);
  const current = document.cookie
    .split("; ")
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
  // biome-ignore lint/suspicious/noDocumentCookie: a short-lived, non-secret list of ids the server re-reads
  document.cookie = `${name}=${withRecent(current, id)}; path=/; max-age=${RECENT_SECONDS}; samesite=strict`;
}
