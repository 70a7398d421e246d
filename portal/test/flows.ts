/**
 * Every portal flow in one sequence, run through the guarded actions against a given Portal
 * (least-privilege test: the same flows with a backend missing one scope). Stops at the first
 * failing step and says which and why.
 */
import { actions } from "../lib/actions";
import type { Portal } from "../lib/domain/context";
import type { ActionResult } from "../lib/guard";
import { newKey, type PortalHarness, sleep, TEST_SEARCH_LAG_MS } from "./support";

export type FlowOutcome = { ok: true } | { ok: false; step: string; code: string; message: string };

class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly code: string,
  ) {
    super(`${step}: ${code}`);
  }
}

export async function runAllFlows(h: PortalHarness, portal: Portal): Promise<FlowOutcome> {
  const step = async <T>(name: string, call: Promise<ActionResult<T>>): Promise<T> => {
    const result = await call;
    if (!result.ok)
      throw Object.assign(new StepFailed(name, result.error.code), {
        detail: result.error.message,
      });
    return result.data;
  };
  try {
    let owner = await h.newUser("lp-owner");
    const team = await step(
      "create team",
      actions.createTeam.invoke(portal, owner, { name: "LP team" }),
    );
    owner = await h.refresh(owner);
    await step("read team", actions.getTeam.invoke(portal, owner, { teamId: team.teamId }));
    const invite = await step(
      "invite",
      actions.createTeamInvite.invoke(portal, owner, { teamId: team.teamId }),
    );
    const joiner = await h.newUser("lp-joiner");
    await step(
      "join by invite",
      actions.acceptInvite.invoke(portal, joiner, { token: invite.token }),
    );
    await step("list members", actions.listMembers.invoke(portal, owner, { teamId: team.teamId }));

    const key = newKey();
    const input = { teamId: team.teamId, environment: "sandbox", name: "lp", idempotencyKey: key };
    const created = await step(
      "create credential",
      actions.createCredential.invoke(portal, owner, input),
    );
    await step("retry create credential", actions.createCredential.invoke(portal, owner, input));
    await step(
      "list credentials",
      actions.listCredentials.invoke(portal, owner, {
        teamId: team.teamId,
        environment: "sandbox",
      }),
    );
    const ref = { teamId: team.teamId, environment: "sandbox", clientId: created.clientId };
    const rotated = await step(
      "rotate credential",
      actions.rotateCredential.invoke(portal, owner, ref),
    );
    await step(
      "try credential",
      actions.tryCredential.invoke(portal, owner, {
        teamId: team.teamId,
        clientId: created.clientId,
        clientSecret: rotated.clientSecret,
        audience: rotated.audiences[0],
        activeFrom: rotated.activeFrom, // as the reveal passes it: a rotated secret takes a moment
      }),
    );
    await step("revoke credential", actions.revokeCredential.invoke(portal, owner, ref));
    await step(
      "remove member",
      actions.removeMember.invoke(portal, owner, { teamId: team.teamId, userId: joiner.userId }),
    );

    await step("admin list teams", actions.adminListTeams.invoke(portal, h.admin, {}));
    const other = await step(
      "admin create team",
      actions.adminCreateTeam.invoke(portal, h.admin, { name: "LP other" }),
    );
    await step(
      "admin create credential in production",
      actions.createCredential.invoke(portal, h.admin, {
        teamId: other.teamId,
        environment: "production",
        name: "lp-prod",
        idempotencyKey: newKey(),
      }),
    );
    await step(
      "admin delete team",
      actions.adminDeleteTeam.invoke(portal, h.admin, { teamId: other.teamId }),
    );
    const newAdmin = await h.newUser("lp-admin");
    const adminInvite = await step(
      "admin invite",
      actions.adminCreateAdminInvite.invoke(portal, h.admin, { email: newAdmin.email }),
    );
    await step(
      "accept admin invite",
      actions.acceptInvite.invoke(portal, newAdmin, { token: adminInvite.token }),
    );
    await sleep(TEST_SEARCH_LAG_MS + 200); // admins are listed and counted by user search
    await step("list admins", actions.adminListAdmins.invoke(portal, h.admin, {}));
    await step(
      "remove admin",
      actions.adminRemoveAdmin.invoke(portal, h.admin, { userId: newAdmin.userId }),
    );
    return { ok: true };
  } catch (error) {
    if (error instanceof StepFailed)
      return {
        ok: false,
        step: error.step,
        code: error.code,
        message: (error as unknown as { detail: string }).detail,
      };
    throw error;
  }
}
