import Link from "next/link";
import { AdminNav } from "@/components/admin-nav";
import {
  CursorPager,
  cursorParam,
  ErrorPanel,
  LagNote,
  PageTitle,
  Section,
} from "@/components/panels";
import { AdminCreateTeamForm } from "@/components/team";
import { actions } from "@/lib/actions";
import { load } from "@/lib/session";

/**
 * Every team, one cursor page at a time (one `/clients/search` call). Member and credential counts
 * cost more calls per page (ADR 0600), so they are shown on request (`?counts=1`).
 */
export default async function AdminTeams({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const from = cursorParam(params.from);
  const counts = params.counts === "1";
  const [teams, me, usage] = await Promise.all([
    load(actions.adminListTeams, { from, take: 20, counts }),
    load(actions.whoAmI, {}),
    load(actions.adminTenantUsage, {}),
  ]);
  if (!teams.ok) return <ErrorPanel error={teams.error} />;
  const environments = me.ok ? me.data.environments : [];
  const base = counts ? "/admin?counts=1" : "/admin";
  const toggle = `${counts ? "/admin" : "/admin?counts=1"}${from ? `${counts ? "?" : "&"}from=${encodeURIComponent(from)}` : ""}`;
  return (
    <>
      <PageTitle title="Admin" subtitle="Every team, its members and credentials." />
      <AdminNav current="teams" />
      {usage.ok && (
        <p className="mb-4 text-sm text-slate-600" data-testid="tenant-usage">
          {usage.data.map((u) => (
            <span
              key={u.environment}
              className={`mr-4 ${u.applications >= u.cap ? "font-semibold text-red-700" : ""}`}
            >
              {u.environment}: {u.applications} of {u.limit} applications
              {u.applications >= u.cap
                ? ` — full: no new teams or credentials (the last ${u.limit - u.cap} are kept for the portal's own clients)`
                : ""}
            </span>
          ))}
        </p>
      )}
      <Section title="Create a team">
        <div className="p-5">
          <AdminCreateTeamForm />
        </div>
      </Section>
      <Section
        title="Teams"
        action={
          <Link className="text-sm text-brand underline" href={toggle} data-testid="counts-toggle">
            {counts ? "Hide counts" : "Show member and credential counts"}
          </Link>
        }
      >
        <table className="w-full text-sm" data-testid="admin-teams">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-5 py-2 font-medium">Team</th>
              {counts && <th className="px-5 py-2 font-medium">Members</th>}
              {counts &&
                environments.map((e) => (
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
                  {t.deletingSince && (
                    <span className="badge ml-2 bg-amber-100 text-amber-800">being deleted</span>
                  )}
                  <div className="font-mono text-xs text-slate-400">{t.teamId}</div>
                </td>
                {counts && <td className="px-5 py-3">{t.members ?? "–"}</td>}
                {counts &&
                  environments.map((e) => (
                    <td key={e.id} className="px-5 py-3">
                      {t.credentials?.[e.id] ?? 0}
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
        <LagNote what="Teams and counts" />
        <CursorPager base={base} from={from} next={teams.data.next} />
      </Section>
    </>
  );
}
