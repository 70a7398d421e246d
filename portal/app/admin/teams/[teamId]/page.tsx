import { AdminNav } from "@/components/admin-nav";
import { CredentialList, ErrorPanel, MemberList, PageTitle, Section } from "@/components/panels";
import { DeleteTeam } from "@/components/team";
import { actions } from "@/lib/actions";
import { load } from "@/lib/session";

export default async function AdminTeam({ params }: { params: Promise<{ teamId: string }> }) {
  const { teamId } = await params;
  const me = await load(actions.whoAmI, {});
  if (!me.ok) return <ErrorPanel error={me.error} />;
  if (!me.data.isAdmin)
    return (
      <ErrorPanel
        error={{ code: "forbidden", message: "This needs portal admin rights.", requestId: "-" }}
      />
    );
  const [team, members, ...credentials] = await Promise.all([
    load(actions.getTeam, { teamId }),
    load(actions.listMembers, { teamId, page: 0, perPage: 50 }),
    ...me.data.environments.map((e) =>
      load(actions.listCredentials, { teamId, environment: e.id, page: 0, perPage: 50 }),
    ),
  ]);
  if (!team.ok) return <ErrorPanel error={team.error} />;
  if (!members.ok) return <ErrorPanel error={members.error} />;
  const who = new Map(members.data.items.map((m) => [m.userId, m.email]));
  return (
    <>
      <PageTitle
        title={team.data.name}
        subtitle={`Team ${team.data.teamId} · created ${team.data.createdAt.slice(0, 10)}`}
      >
        <DeleteTeam teamId={teamId} name={team.data.name} />
      </PageTitle>
      <AdminNav current="teams" />
      <Section title={`Members (${members.data.total})`}>
        <MemberList teamId={teamId} members={members.data.items} selfId={me.data.userId} />
      </Section>
      {me.data.environments.map((e, i) => {
        const result = credentials[i];
        return (
          <Section key={e.id} title={`${e.label} credentials`}>
            {result?.ok ? (
              <CredentialList teamId={teamId} credentials={result.data.items} who={who} />
            ) : (
              result && (
                <div className="p-5">
                  <ErrorPanel error={result.error} />
                </div>
              )
            )}
          </Section>
        );
      })}
    </>
  );
}
