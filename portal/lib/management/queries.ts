/**
 * Every Management API search the portal makes, in one place. Values are ids the portal itself
 * generated or Auth0 ids; `quoted` refuses anything that could break out of the quoted term.
 * User searches (search engine v3) use Lucene strings; client searches go to `/clients/search`
 * as metadata terms (see clients-search.ts for Auth0's 5-operation limit).
 */
import { CLIENT_KIND_KEY, CLIENT_KINDS, PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { PortalError } from "../errors";
import { MAX_FILTER_OPERATIONS, type MetadataTerm } from "./clients-search";

const SAFE = /^[A-Za-z0-9_|.@:-]{1,128}$/;

export function quoted(value: string): string {
  if (!SAFE.test(value)) throw new PortalError("invalid_input", "Malformed identifier.");
  return `"${value}"`;
}

export const queries = {
  /** Several teams at once: `app_metadata.teamId:("a" OR "b")`. */
  teamsMembers: (teamIds: string[]) => `app_metadata.teamId:(${teamIds.map(quoted).join(" OR ")})`,
  teamMembers: (teamId: string) => `app_metadata.teamId:${quoted(teamId)}`,
  admins: () => `app_metadata.permissions:${quoted(PORTAL_ADMIN_PERMISSION)}`,
};

const kind = (value: string): MetadataTerm => ({ key: CLIENT_KIND_KEY, values: [value] });

/** Team ids per credential-count query: the kind term costs 1 of the 5 operations. */
export const TEAMS_PER_CREDENTIAL_QUERY = MAX_FILTER_OPERATIONS - 1;

export const clientTerms = {
  /** 1 operation. */
  teamRecords: (): MetadataTerm[] => [kind(CLIENT_KINDS.team)],
  /** 2 operations. */
  teamCredentials: (teamId: string): MetadataTerm[] => [
    kind(CLIENT_KINDS.credential),
    { key: "teamId", values: [teamId] },
  ],
  /** 1 + teamIds.length operations (at most TEAMS_PER_CREDENTIAL_QUERY ids). */
  teamsCredentials: (teamIds: string[]): MetadataTerm[] => [
    kind(CLIENT_KINDS.credential),
    { key: "teamId", values: teamIds },
  ],
};
