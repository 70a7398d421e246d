"use client";
import {
  RECENT_COOKIE,
  RECENT_SECONDS,
  type RecentList,
  recentIds,
  withRecent,
} from "@/lib/recent";

function cookieValue(name: string) {
  return document.cookie
    .split("; ")
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

/** The ids this browser just touched: a create passes them so its limit counts them right. */
export function readRecent(list: RecentList): string[] {
  return recentIds(cookieValue(RECENT_COOKIE(list)));
}

/** Notes an id the user just created, revoked or removed (see lib/recent.ts). */
export function rememberRecent(list: RecentList, id: string) {
  const name = RECENT_COOKIE(list);
  const current = cookieValue(name);
  // biome-ignore lint/suspicious/noDocumentCookie: a short-lived, non-secret list of ids the server re-reads
  document.cookie = `${name}=${withRecent(current, id)}; path=/; max-age=${RECENT_SECONDS}; samesite=strict`;
}
