/**
 * Ending sessions on the server. Sessions are stateless encrypted cookies (ADR 0700), so a copy
 * of a cookie saved before logout would work until its expiry. Logout therefore writes the time
 * in the user's `app_metadata.sessionsValidAfter` (epoch seconds), and the actor lookup that
 * already runs on every request (actor.ts, GET /users/{id}, consistent) refuses a session that
 * began at or before it. This ends every session of the user that began before the logout, on
 * every browser and device ("sign out everywhere"); sessions begun after it are untouched.
 */
import { PortalError } from "../errors";
import { homeTenant, type Portal } from "./context";
import { patchAppMetadata } from "./users";

export const SESSIONS_VALID_AFTER_KEY = "sessionsValidAfter";

/** Ends every session of the user begun up to now (a logout). */
export async function endSessions(portal: Portal, userId: string, requestId: string) {
  const now = Math.floor(portal.now().getTime() / 1000);
  await patchAppMetadata(
    homeTenant(portal),
    userId,
    { [SESSIONS_VALID_AFTER_KEY]: now },
    requestId,
  );
}

/**
 * Refuses a session begun (`createdAt`, epoch seconds, nextjs-auth0's `internal.createdAt`) at
 * or before the user's last logout. Whole seconds: a session begun in the second of a logout
 * counts as before it (signing in again takes longer than that).
 */
export function refuseEndedSession(
  appMetadata: Record<string, unknown> | null | undefined,
  createdAt: number | undefined,
): void {
  const validAfter = appMetadata?.[SESSIONS_VALID_AFTER_KEY];
  if (typeof validAfter !== "number") return;
  if (createdAt === undefined || createdAt <= validAfter)
    throw new PortalError("unauthenticated", "This session has ended (signed out); sign in again.");
}
