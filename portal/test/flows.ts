/**
 * Every portal flow in one sequence (teams, invites, secrets, key pairs, admin), run through the
 * guarded actions against a given Portal (least-privilege test: the same flows with a backend
 * missing one scope). Stops at the first failing step and says which and why.
 */
import { actions } from "../lib/actions";
import type { Actor, Portal } from "../lib/domain/context";
import type { ActionResult } from "../lib/guard";
import { newRsaKeyPair, signAssertion } from "./key-pairs";
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

type Step = <T>(name: string, call: Promise<ActionResult<T>>) => Promise<T>;

const step: Step = async (name, call) => {
  const result = await call;
  if (!result.ok)
    throw Object.assign(new StepFailed(name, result.error.code), { detail: result.error.message });
  return result.data;
};

async function outcomeOf(flows: () => Promise<void>): Promise<FlowOutcome> {
  try {
    await flows();
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

export function runAllFlows(
  h: PortalHarness,
  portal: Portal,
  /** `false`: an offer of client secrets only (no key-pair flows). */
  opts: { keyPairs?: boolean } = {},
): Promise<FlowOutcome> {
  return outcomeOf(async () => {
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

    if (opts.keyPairs !== false) await keyPairFlows(step, portal, owner, team.teamId);
    await step(
      "remove member",
      actions.removeMember.invoke(portal, owner, { teamId: team.teamId, userId: joiner.userId }),
    );
    await step(
      "reset invite links",
      actions.resetTeamInvites.invoke(portal, owner, { teamId: team.teamId }),
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
  });
}

/**
 * The key-pair flows alone (ADR 0800), in a team set up through `h.portal` (every scope): what
 * `portal` needs for key pairs, measured apart from what the flows before them need.
 */
export function runKeyPairFlows(h: PortalHarness, portal: Portal): Promise<FlowOutcome> {
  return outcomeOf(async () => {
    let owner = await h.newUser("lp-keys");
    const team = await step(
      "set up team",
      actions.createTeam.invoke(h.portal, owner, { name: "LP keys" }),
    );
    owner = await h.refresh(owner);
    await keyPairFlows(step, portal, owner, team.teamId);
  });
}

/** Create, try with a signed assertion, Replace…, revoke the replaced one. */
async function keyPairFlows(step: Step, portal: Portal, owner: Actor, teamId: string) {
  const pair = newRsaKeyPair();
  const keyInput = {
    teamId,
    environment: "sandbox",
    name: "lp-key",
    publicKeyPem: pair.publicKeyPem,
    alg: "RS256",
  };
  const keyPair = await step(
    "create key pair",
    actions.createKeyPairCredential.invoke(portal, owner, {
      ...keyInput,
      idempotencyKey: newKey(),
    }),
  );
  await step(
    "try key pair",
    actions.tryKeyPairCredential.invoke(portal, owner, {
      teamId,
      clientId: keyPair.clientId,
      clientAssertion: await signAssertion(
        keyPair.clientId,
        pair.privateKey,
        keyPair.assertionAudience,
      ),
      audience: keyPair.audiences[0],
    }),
  );
  await step(
    "replace key pair",
    actions.createKeyPairCredential.invoke(portal, owner, {
      ...keyInput,
      idempotencyKey: newKey(),
      replaces: keyPair.clientId,
    }),
  );
  await step(
    "revoke replaced key pair",
    actions.revokeCredential.invoke(portal, owner, {
      teamId,
      environment: "sandbox",
      clientId: keyPair.clientId,
    }),
  );
}
