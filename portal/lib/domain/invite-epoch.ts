/**
 * A team's invite epoch: an opaque value in the team record's `client_metadata.inviteEpoch`.
 * Every team invite carries the epoch current when it was made and is accepted only while the
 * record still holds that value. Removing a member, or "Reset invite links", replaces it with a
 * fresh random value, which ends every earlier link of the team at once (nothing else is stored
 * per link). A random value, not a counter: two concurrent resets each write a value no link
 * carries, and no read-modify-write is needed.
 *
 * The record is read by its client id (GET /clients/{id}), which is consistent; a search lags
 * writes and could still show the old epoch right after a removal.
 */
import { TeamMetadata } from "@astral/contract";
import { readClient } from "../management/clients";
import { type Ctx, homeTenant } from "./context";
import { randomId } from "./ids";

export interface TeamRecord {
  teamId: string;
  name: string;
  /** "" until the first removal or reset (links made before epochs existed carry none). */
  inviteEpoch: string;
}

/** The team record by its client id (the team id), consistently; undefined when gone. */
export async function readTeamRecord(
  ctx: Ctx,
  teamId: string,
  /**
   * Default: past the read cache, as the epoch and a deletion mark must be the tenant's current
   * ones (another task may have written them a moment ago). `false` only for an early refusal
   * that a fresh read repeats before anything is decided.
   */
  { fresh = true }: { fresh?: boolean } = {},
): Promise<TeamRecord | undefined> {
  // Not fresh: from the read cache even in a server action (MAY_BE_OLD). A team's deletion mark
  // is never taken back and its id never comes back, so a kept record can only refuse early.
  const client = await readClient(
    homeTenant(ctx.portal),
    teamId,
    ctx.requestId,
    fresh ? { fresh } : { mayBeOld: true },
  );
  const meta = TeamMetadata.safeParse(client?.client_metadata ?? {});
  // A team being deleted counts as gone: nobody joins it (as findTeam says).
  if (!client || !meta.success || meta.data.deletingSince) return undefined;
  return { teamId, name: meta.data.teamName, inviteEpoch: meta.data.inviteEpoch ?? "" };
}

/** Ends every invite of the team made so far. PATCH /clients/{id}: update:clients (or keys). */
export async function newInviteEpoch(ctx: Ctx, teamId: string): Promise<void> {
  // Auth0 merges client_metadata on PATCH, so only this key changes (string value, ≤ 255 chars):
  // https://auth0.com/docs/manage-users/user-accounts/metadata/manage-metadata-api
  const inviteEpoch = randomId("epoch", 16);
  await homeTenant(ctx.portal).run(
    "reset the team's invite links",
    (c) => c.clients.update(teamId, { client_metadata: { inviteEpoch } }),
    { safeToRepeat: true, requestId: ctx.requestId },
  );
}
