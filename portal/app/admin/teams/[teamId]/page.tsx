import { AdminNav } from "@/components/admin-nav";
import {
  CredentialList,
  ErrorPanel,
  LagNote,
  MemberList,
  PageTitle,
  Section,
} from "@/components/panels";
import { DeleteTeam } from "@/components/team";
import { actions } from "@/lib/actions";
import { recentFromCookies } from "@/lib/recent-server";
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
    load(actions.listMembers, {
      teamId,
      page: 0,
      perPage: 50,
      recent: await recentFromCookies("members"),
    }),
    ...me.data.environments.map(async (e) =>
      load(actions.listCredentials, {
        teamId,
        environment: e.id,
        take: 50,
        recent: await recentFromCookies(e.id),
      }),
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
        <DeleteTeam
          teamId={teamId}
          name={team.data.name}
          deleting={Boolean(team.data.deletingSince)}
        />
      </PageTitle>
      <AdminNav current="teams" />
      {team.data.deletingSince && (
        <p className="card mb-6 p-4 text-sm text-amber-800" data-testid="team-deleting">
          Being deleted since {team.data.deletingSince.slice(0, 19).replace("T", " ")} UTC: nobody
          can join it or create credentials in it.
        </p>
      )}
      <Section title={`Members (${members.data.total})`}>
        <MemberList teamId={teamId} members={members.data.items} selfId={me.data.userId} />
        <LagNote what="Members" />
      </Section>
      {me.data.environments.map((e, i) => {
        const result = credentials[i];
        return (
          <Section key={e.id} title={`${e.label} credentials`}>
            {result?.ok ? (
              <>
                <CredentialList teamId={teamId} credentials={result.data.items} who={who} />
                {result.data.next && (
                  <p className="px-5 py-2 text-xs text-slate-500">
                    Showing the first 50; the team's own pages list them all.
                  </p>
                )}
              </>
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
