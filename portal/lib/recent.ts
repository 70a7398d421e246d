/**
 * What the viewer just changed, kept in a short-lived cookie so that the next page render can
 * re-read those ids consistently (GET by id) while Auth0's search indexes catch up (ADR 0600).
 * The cookie holds ids only, no secrets; the server trusts nothing in it beyond "re-read this":
 * every id is checked against the team before it is shown or hidden.
 */
import { z } from "zod";

/** One cookie per list: credentials per environment, and team members. */
export type RecentList = "sandbox" | "production" | "members";
export const RECENT_COOKIE = (list: RecentList) => `astral_recent_${list}`;
/** How long an id stays "recent": longer than the index lag one expects from Auth0. */
export const RECENT_SECONDS = 120;
export const RECENT_MAX = 5;

const Entries = z.array(
  z.object({ id: z.string().regex(/^[A-Za-z0-9_|.@:-]{3,128}$/), t: z.number() }),
);
export type RecentEntries = z.infer<typeof Entries>;

export function parseRecent(value: string | undefined, now = Date.now()): RecentEntries {
  if (!value) return [];
  try {
    const parsed = Entries.safeParse(JSON.parse(decodeURIComponent(value)));
    if (!parsed.success) return [];
    return parsed.data.filter((e) => now - e.t < RECENT_SECONDS * 1000).slice(-RECENT_MAX);
  } catch {
    return [];
  }
}

/** The ids to re-read, newest last (at most RECENT_MAX). */
export function recentIds(value: string | undefined, now = Date.now()): string[] {
  return parseRecent(value, now).map((e) => e.id);
}

/** The cookie value after touching `id`. */
export function withRecent(value: string | undefined, id: string, now = Date.now()): string {
  const kept = parseRecent(value, now).filter((e) => e.id !== id);
  return encodeURIComponent(JSON.stringify([...kept, { id, t: now }].slice(-RECENT_MAX)));
}
