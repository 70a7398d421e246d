import { notFound } from "next/navigation";
import { CreateCredential } from "@/components/credentials";
import { CreateKeyPair } from "@/components/key-pair";
import {
  CredentialList,
  CursorPager,
  cursorParam,
  ErrorPanel,
  LagNote,
  PageTitle,
  Section,
} from "@/components/panels";
import { PAGE_TAKE } from "@/lib/action-schemas";
import { actions } from "@/lib/actions";
import { recentFromCookies } from "@/lib/recent-server";
import { load } from "@/lib/session";

export default async function CredentialsPage({
  params,
  searchParams,
}: {
  params: Promise<{ environment: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { environment } = await params;
  const me = await load(actions.whoAmI, {});
  if (!me.ok) return <ErrorPanel error={me.error} />;
  const env = me.data.environments.find((e) => e.id === environment);
  if (!env) notFound();
  const teamId = me.data.teamId;
  if (!teamId)
    return (
      <ErrorPanel error={{ code: "forbidden", message: "Join a team first.", requestId: "-" }} />
    );
  const from = cursorParam((await searchParams).from);
  const recent = await recentFromCookies(env.id);
  // Two Management calls in all (actor, credentials): within a Free tenant's burst of 2.
  const credentials = await load(actions.listCredentials, {
    teamId,
    environment: env.id,
    from,
    take: PAGE_TAKE,
    recent,
  });
  if (!credentials.ok) return <ErrorPanel error={credentials.error} />;
  return (
    <>
      <PageTitle title={`${env.label} credentials`} subtitle={env.description} />
      {/* The kinds portal.config.js offers here (credentialKinds), side by side. */}
      <div className="mb-6 grid gap-4">
        {env.credentialKinds.includes("client_secret") && (
          <CreateCredential
            teamId={teamId}
            environment={env.id}
            label={env.label}
            caFile={process.env.PORTAL_CURL_CA_FILE}
          />
        )}
        {env.credentialKinds.includes("key_pair") && (
          <CreateKeyPair
            teamId={teamId}
            environment={env.id}
            label={env.label}
            lifetimeDays={env.keyPairLifetimeDays}
          />
        )}
      </div>
      <Section title="Credentials">
        <CredentialList
          teamId={teamId}
          credentials={credentials.data.items}
          caFile={process.env.PORTAL_CURL_CA_FILE}
          keyPairLifetimeDays={
            env.credentialKinds.includes("key_pair") ? env.keyPairLifetimeDays : undefined
          }
        />
        <LagNote what="Credentials" />
        <CursorPager base={`/credentials/${env.id}`} from={from} next={credentials.data.next} />
      </Section>
    </>
  );
}
