/** Server side of lib/recent.ts: the ids a page should re-read, from the request's cookies. */
import { cookies } from "next/headers";
import { RECENT_COOKIE, type RecentList, recentIds } from "./recent";

export async function recentFromCookies(list: RecentList): Promise<string[]> {
  return recentIds((await cookies()).get(RECENT_COOKIE(list))?.value);
}
