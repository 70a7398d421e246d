/**
 * What a Management API request touches, for the read cache's write-through invalidation
 * (read-cache.ts): the scope of a path (a record or a collection's lists), and which teams'
 * lists a write can change.
 */
import type { ReadKind } from "./read-policy";

/** Collections whose writes also change what another collection's lists return. */
export const ALSO_INVALIDATES: Record<string, string[]> = {
  users: ["users-by-email"],
  clients: ["client-grants"],
};

/**
 * The scope a Management API path belongs to: `users/u1` for a record (and what lies under
 * it), `users` for the collection's lists; undefined outside the Management API.
 */
export function scopeOf(
  pathname: string,
): { scope: string; collection: string; kind: ReadKind } | undefined {
  const match = /^\/api\/v2\/([^/?]+)(?:\/([^/?]+))?/.exec(pathname);
  if (!match) return undefined;
  const [, collection, id] = match as unknown as [string, string, string | undefined];
  if (id === undefined || id === "search") return { scope: collection, collection, kind: "list" };
  return { scope: `${collection}/${id}`, collection, kind: "record" };
}

/**
 * `app_metadata.teamId` (a user) or `client_metadata.teamId` (a credential) of a record or a
 * write's body: the id, null when the field is there without a string (a member removed),
 * undefined when the field is absent.
 */
export function teamIdOf(doc: unknown): string | null | undefined {
  for (const field of ["app_metadata", "client_metadata"]) {
    const metadata = (doc as Record<string, unknown> | null)?.[field] as
      | Record<string, unknown>
      | null
      | undefined;
    if (metadata && "teamId" in metadata)
      return typeof metadata.teamId === "string" ? metadata.teamId : null;
  }
  return undefined;
}

export function parsed(text: string): { doc: unknown } | undefined {
  try {
    return { doc: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The teams whose lists a write can change, as a search by `teamId` finds a record only in the
 * team it has: a write whose body names no team (a create record, a rotation, a name) moves
 * nothing between teams, so none (the index lags the write anyway: a search now would show the
 * same); one that names a team, that team and the team the record had before (`kept`, from a
 * kept read of it; null for none; none for a create); a delete, the team it had. Undefined, so
 * every list is dropped, when the team before is needed and not known (no kept read of the
 * record) or the body cannot be read.
 */
export function teamsAWriteTouches(
  method: string,
  kind: ReadKind,
  body: unknown,
  kept: string | null | undefined,
): string[] | undefined {
  const teams = (...ids: Array<string | null | undefined>) =>
    ids.filter((t): t is string => typeof t === "string");
  if (method === "DELETE") return kept === undefined ? undefined : teams(kept);
  const sent =
    body == null ? { doc: undefined } : typeof body === "string" ? parsed(body) : undefined;
  if (!sent) return undefined;
  const after = teamIdOf(sent.doc);
  if (after === undefined) return [];
  const before = method === "POST" && kind === "list" ? null : kept;
  return before === undefined ? undefined : teams(before, after);
}

/** Whether `url` is a search filtered on `teamId` that names none of `teams`. */
export function otherTeamsList(url: string, teams: string[]): boolean {
  const q = new URL(url).searchParams.get("q") ?? "";
  return q.includes("teamId:") && !teams.some((team) => q.includes(`"${team}"`));
}

/** The user id of a user record's URL (`…/api/v2/users/{id}`); undefined for any other URL. */
export function userIdOf(url: string): string | undefined {
  const match = /^\/api\/v2\/users\/([^/]+)$/.exec(new URL(url).pathname);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

/** The tenant's `https://DOMAIN/api/v2` of a Management API URL. */
export const apiBaseOf = (url: string) => url.slice(0, url.indexOf("/api/v2/") + "/api/v2".length);
