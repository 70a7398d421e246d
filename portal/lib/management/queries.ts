/**
 * Every Management API search the portal makes, in one place. Values are ids the portal itself
 * generated or Auth0 ids; `quoted` refuses anything that could break out of the quoted term.
 */
import { CLIENT_KIND_KEY, CLIENT_KINDS, PORTAL_ADMIN_PERMISSION } from "@astral/contract";
import { PortalError } from "../errors";

const SAFE = /^[A-Za-z0-9_|.@:-]{1,128}$/;

export function quoted(value: string): string {
  if (!SAFE.test(value)) throw new PortalError("invalid_input", "Malformed identifier.");
  return `"${value}"`;
}

export const queries = {
  teamRecords: () => `client_metadata.${CLIENT_KIND_KEY}:${quoted(CLIENT_KINDS.team)}`,
  teamRecord: (teamId: string) =>
    `client_metadata.${CLIENT_KIND_KEY}:${quoted(CLIENT_KINDS.team)} AND client_metadata.teamId:${quoted(teamId)}`,
  teamCredentials: (teamId: string) =>
    `client_metadata.${CLIENT_KIND_KEY}:${quoted(CLIENT_KINDS.credential)} AND client_metadata.teamId:${quoted(teamId)}`,
  /** Several teams at once: `field:("a" OR "b")`. */
  teamsMembers: (teamIds: string[]) => `app_metadata.teamId:(${teamIds.map(quoted).join(" OR ")})`,
  teamsCredentials: (teamIds: string[]) =>
    `client_metadata.${CLIENT_KIND_KEY}:${quoted(CLIENT_KINDS.credential)} AND client_metadata.teamId:(${teamIds.map(quoted).join(" OR ")})`,
  clientByRequestId: (requestId: string) => `client_metadata.requestId:${quoted(requestId)}`,
  teamMembers: (teamId: string) => `app_metadata.teamId:${quoted(teamId)}`,
  admins: () => `app_metadata.permissions:${quoted(PORTAL_ADMIN_PERMISSION)}`,
};
