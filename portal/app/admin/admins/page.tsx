import { PendingAdminInvites } from "@/components/admin-invites";
import { AdminNav } from "@/components/admin-nav";
import { ErrorPanel, Pager, PageTitle, pageParam, Section } from "@/components/panels";
import { AdminInvite, RemoveAdmin } from "@/components/team";
import { actions } from "@/lib/actions";
import { load } from "@/lib/session";

export default async function AdminAdmins({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const page = pageParam((await searchParams).page);
  const [admins, invites] = await Promise.all([
    load(actions.adminListAdmins, { page, perPage: 20 }),
    load(actions.adminListAdminInvites, {}),
  ]);
  if (!admins.ok) return <ErrorPanel error={admins.error} />;
  if (!invites.ok) return <ErrorPanel error={invites.error} />;
  return (
    <>
      <PageTitle title="Admin" subtitle="People who can see and change every team." />
      <AdminNav current="admins" />
      <Section title={`Portal admins (${admins.data.total})`}>
        <div className="border-b border-slate-100 px-5 py-4">
          <AdminInvite />
        </div>
        <ul className="divide-y divide-slate-100" data-testid="admin-list">
          {admins.data.items.map((a) => (
            <li key={a.userId} className="flex items-center gap-3 px-5 py-3">
              <span className="min-w-0 flex-1">
                <span className="block text-sm font-medium">{a.name}</span>
                <span className="block text-xs text-slate-500">{a.email}</span>
              </span>
              <RemoveAdmin userId={a.userId} />
            </li>
          ))}
        </ul>
        <Pager
          base="/admin/admins"
          page={page}
          perPage={admins.data.perPage}
          total={admins.data.total}
        />
      </Section>
      <Section title={`Pending admin invites (${invites.data.length})`}>
        <PendingAdminInvites invites={invites.data} />
      </Section>
    </>
  );
}
