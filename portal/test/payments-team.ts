/**
 * What the portal's feature tests over HTTPS share (portal.integration and the files split from
 * it): a harness with Alice's team "Payments", Bob its second member (joined by invite), and
 * reads of the tenants past the lagging search.
 */
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import {
  allClients,
  ok,
  type PortalHarness,
  sleep,
  startPortalHarness,
  TEST_SEARCH_LAG_MS,
} from "./support";

export interface PaymentsTeam {
  h: PortalHarness;
  alice: Actor;
  bob: Actor;
  teamId: string;
}

/** A new harness where Alice has made the team "Payments" and Bob joined it by invite. */
export async function startPaymentsTeam(): Promise<PaymentsTeam> {
  const h = await startPortalHarness();
  const newcomer = await h.newUser("alice");
  const { teamId } = ok(await actions.createTeam.invoke(h.portal, newcomer, { name: "Payments" }));
  const alice = await h.refresh(newcomer);
  const invite = ok(await actions.createTeamInvite.invoke(h.portal, alice, { teamId }));
  const joining = await h.newUser("bob");
  ok(await actions.acceptInvite.invoke(h.portal, joining, { token: invite.token }));
  return { h, alice, bob: await h.refresh(joining), teamId };
}

/** The tenant's clients matching `metadata`, read consistently (not through the lagging search). */
export async function clientsWith(
  h: PortalHarness,
  environment: "production" | "sandbox",
  metadata: Record<string, string>,
) {
  return (await allClients(h.root[environment])).filter((c) =>
    Object.entries(metadata).every(([k, v]) => c.client_metadata?.[k] === v),
  );
}

/** Lets the tenant's search index catch up with what was written so far. */
export const indexCatchUp = () => sleep(TEST_SEARCH_LAG_MS + 200);
