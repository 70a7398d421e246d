import { notFound } from "next/navigation";
import { CreateCredential } from "@/components/credentials";
import {
  CredentialList,
  ErrorPanel,
  Pager,
  PageTitle,
  pageParam,
  Section,
} from "@/components/panels";
import { actions } from "@/lib/actions";
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
  const page = pageParam((await searchParams).page);
  const [credentials, members] = await Promise.all([
    load(actions.listCredentials, { teamId, environment: env.id, page, perPage: 20 }),
    load(actions.listMembers, { teamId, page: 0, perPage: 50 }),
  ]);
  if (!credentials.ok) return <ErrorPanel error={credentials.error} />;
  const who = new Map(members.ok ? members.data.items.map((m) => [m.userId, m.email]) : []);
  return (
    <>
      <PageTitle title={`${env.label} credentials`} subtitle={env.description} />
      <div className="mb-6">
        <CreateCredential
          teamId={teamId}
          environment={env.id}
          label={env.label}
          caFile={process.env.PORTAL_CURL_CA_FILE}
        />
      </div>
      <Section title={`Credentials (${credentials.data.total})`}>
        <CredentialList
          teamId={teamId}
          credentials={credentials.data.items}
          who={who}
          caFile={process.env.PORTAL_CURL_CA_FILE}
        />
        <Pager
          base={`/credentials/${env.id}`}
          page={page}
          perPage={credentials.data.perPage}
          total={credentials.data.total}
        />
      </Section>
    </>
  );
}
