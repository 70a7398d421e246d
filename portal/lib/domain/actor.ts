/**
 * The actor of a request: the signed-in user as the home tenant has them now. Sessions are
 * stateless cookies (docs/decisions/0700-access-taken-back.md), so this one read (GET /users/{id},
 * consistent; through the read cache, so at most 60 s old (2 minutes on Free: rate-plan.ts
 * READ_POLICIES) for a change another portal task or
 * the dashboard made, current for one this task made: ADR 0600) is where access that was taken
 * back takes effect:
 * a user removed from a team has no `teamId` any more, an admin whose right was removed has no
 * `portal-admin`, and a user an admin blocked in Auth0 is refused outright, even with a session
 * cookie saved before; so is a session begun before the user's last logout (sessions.ts). The same read shows team records left behind by parallel team creates,
 * which are then cleaned up (teams.ts `settleTeamCreates`).
 */
import { PortalError } from "../errors";
import { type Actor, homeTenant, type Portal } from "./context";
import { ownCreates } from "./create-once";
import { refuseEndedSession } from "./sessions";
import { lostTeamCreates, settleTeamCreates } from "./teams";
import { readUser, toPortalUser } from "./users";

export async function actorFor(
  portal: Portal,
  userId: string,
  sessionEmail: string | undefined,
  requestId: string,
  /** When the session began (epoch seconds); undefined only for callers without a session. */
  sessionCreatedAt?: number,
): Promise<Actor> {
  const record = await readUser(homeTenant(portal), userId, requestId);
  const user = toPortalUser(record);
  if (user.blocked)
    throw new PortalError("forbidden", "This account is blocked. Ask a portal admin.");
  if (sessionCreatedAt !== undefined)
    refuseEndedSession(
      record.app_metadata as Record<string, unknown> | undefined,
      sessionCreatedAt,
    );
  const actor: Actor = {
    userId: user.userId,
    email: user.email || sessionEmail || "",
    teamId: user.teamId,
    permissions: user.permissions,
  };
  // Team records left by parallel creates whose own clean-up did not finish (teams.ts): only
  // when this read shows some, so an ordinary request makes no further call.
  const creates = ownCreates(record.app_metadata as Record<string, unknown> | undefined);
  if (lostTeamCreates(creates, user.teamId).length > 0)
    await settleTeamCreates({ portal, actor, requestId }, { creates, teamId: user.teamId });
  return actor;
}
