import Link from "next/link";
import { AdminNav } from "@/components/admin-nav";
import { ErrorPanel, Pager, PageTitle, pageParam, Section } from "@/components/panels";
import { AdminCreateTeamForm } from "@/components/team";
import { actions } from "@/lib/actions";
import { load } from "@/lib/session";

export default async function AdminTeams({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const page = pageParam((await searchParams).page);
  const [teams, me] = await Promise.all([
    load(actions.adminListTeams, { page, perPage: 20 }),
    load(actions.whoAmI, {}),
  ]);
  if (!teams.ok) return <ErrorPanel error={teams.error} />;
  const environments = me.ok ? me.data.environments : [];
  return (
    <>
      <PageTitle title="Admin" subtitle="Every team, its members and credentials." />
      <AdminNav current="teams" />
      <Section title="Create a team">
        <div className="p-5">
          <AdminCreateTeamForm />
        </div>
      </Section>
      <Section title={`Teams (${teams.data.total})`}>
        <table className="w-full text-sm" data-testid="admin-teams">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-5 py-2 font-medium">Team</th>
              <th className="px-5 py-2 font-medium">Members</th>
              {environments.map((e) => (
                <th key={e.id} className="px-5 py-2 font-medium">
                  {e.label}
                </th>
              ))}
              <th className="px-5 py-2 font-medium">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {teams.data.items.map((t) => (
              <tr key={t.teamId} className="hover:bg-slate-50">
                <td className="px-5 py-3">
                  <Link
                    href={`/admin/teams/${t.teamId}`}
                    className="font-medium text-brand hover:underline"
                  >
                    {t.name}
                  </Link>
                  <div className="font-mono text-xs text-slate-400">{t.teamId}</div>
                </td>
                <td className="px-5 py-3">{t.members}</td>
                {environments.map((e) => (
                  <td key={e.id} className="px-5 py-3">
                    {t.credentials[e.id] ?? 0}
                  </td>
                ))}
                <td className="px-5 py-3 text-slate-500">{t.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {teams.data.items.length === 0 && (
          <p className="px-5 py-4 text-sm text-slate-500">No teams yet.</p>
        )}
        <Pager base="/admin" page={page} perPage={teams.data.perPage} total={teams.data.total} />
      </Section>
    </>
  );
}
