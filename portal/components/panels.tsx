import Link from "next/link";
import type { ReactNode } from "react";
import { CredentialRow } from "./credentials";
import { RemoveMember } from "./team";

export function PageTitle({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: string;
  children?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="page-title">
          {title}
        </h1>
        {subtitle && <p className="mt-1 text-slate-600">{subtitle}</p>}
      </div>
      {children}
    </div>
  );
}

export function ErrorPanel({
  error,
}: {
  error: { code: string; message: string; requestId: string };
}) {
  return (
    <div role="alert" className="card border-red-200 bg-red-50/50 p-6" data-testid="error-panel">
      <h2 className="font-semibold text-red-800">
        {error.code === "forbidden"
          ? "You do not have access to this page"
          : error.code === "not_found"
            ? "Not found"
            : "Something went wrong"}
      </h2>
      <p className="mt-1 text-sm text-red-700">{error.message}</p>
      <p className="mt-2 text-xs text-red-500">Request id {error.requestId}</p>
    </div>
  );
}

export function Section({
  title,
  action,
  children,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card mb-6">
      <div className="flex items-center justify-between gap-4 border-b border-slate-100 px-5 py-3">
        <h2 className="font-semibold">{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

export function Pager({
  base,
  page,
  perPage,
  total,
}: {
  base: string;
  page: number;
  perPage: number;
  total: number;
}) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const sep = base.includes("?") ? "&" : "?";
  return (
    <nav
      className="flex items-center justify-between border-t border-slate-100 px-5 py-3 text-sm"
      aria-label="Pages"
    >
      <span className="text-slate-500">
        Page {page + 1} of {pages} · {total} in all
      </span>
      <span className="flex gap-2">
        {page > 0 && (
          <Link className="btn-secondary" href={`${base}${sep}page=${page - 1}`}>
            Previous
          </Link>
        )}
        {page + 1 < pages && (
          <Link className="btn-secondary" href={`${base}${sep}page=${page + 1}`}>
            Next
          </Link>
        )}
      </span>
    </nav>
  );
}

/**
 * Paging by cursor (client search has no totals): "Next" carries the cursor, "First page" goes
 * back to the start.
 */
export function CursorPager({
  base,
  from,
  next,
}: {
  base: string;
  from?: string | undefined;
  next?: string | undefined;
}) {
  if (!from && !next) return null;
  const sep = base.includes("?") ? "&" : "?";
  return (
    <nav
      className="flex items-center justify-end gap-2 border-t border-slate-100 px-5 py-3 text-sm"
      aria-label="Pages"
    >
      {from && (
        <Link className="btn-secondary" href={base}>
          First page
        </Link>
      )}
      {next && (
        <Link className="btn-secondary" href={`${base}${sep}from=${encodeURIComponent(next)}`}>
          Next
        </Link>
      )}
    </nav>
  );
}

/** Auth0's searches are eventually consistent: say so where a list comes from one. */
export function LagNote({ what }: { what: string }) {
  return (
    <p
      className="border-t border-slate-100 px-5 py-2 text-xs text-slate-500"
      data-testid="lag-note"
    >
      {what} come from Auth0's search, which can take a few seconds to show changes made by others.
      Your own changes show at once.
    </p>
  );
}

export function cursorParam(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.length <= 1024 ? v : undefined;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  picture?: string | undefined;
}

export function MemberList({
  teamId,
  members,
  selfId,
}: {
  teamId: string;
  members: MemberView[];
  selfId: string;
}) {
  if (members.length === 0) return <p className="px-5 py-4 text-sm text-slate-500">No members.</p>;
  return (
    <ul className="divide-y divide-slate-100" data-testid="member-list">
      {members.map((m) => (
        <li key={m.userId} className="flex items-center gap-3 px-5 py-3">
          <span className="flex h-8 w-8 items-center justify-center rounded-full bg-brand/10 text-sm font-semibold text-brand">
            {(m.name || m.email).slice(0, 1).toUpperCase()}
          </span>
          <span className="min-w-0 flex-1">
            <span className="block text-sm font-medium">
              {m.name}
              {m.userId === selfId && (
                <span className="badge ml-2 bg-slate-100 text-slate-600">you</span>
              )}
            </span>
            <span className="block text-xs text-slate-500">{m.email}</span>
          </span>
          <RemoveMember teamId={teamId} userId={m.userId} self={m.userId === selfId} />
        </li>
      ))}
    </ul>
  );
}

export interface CredentialView {
  clientId: string;
  name: string;
  environment: "production" | "sandbox";
  createdBy: string;
  createdByEmail?: string | undefined;
  createdAt: string;
  kind: "client_secret" | "key_pair";
  keyAlg?: string | undefined;
  keyExpiresAt?: string | undefined;
  replaces?: string | undefined;
}

export function CredentialList({
  teamId,
  credentials,
  who,
  caFile,
  keyPairLifetimeDays,
}: {
  teamId: string;
  credentials: CredentialView[];
  /** Member emails by user id, where the page has them; else the email recorded at creation. */
  who?: Map<string, string> | undefined;
  caFile?: string | undefined;
  /** Days a new key pair lasts, where "Replace…" is offered (the team's own credentials page). */
  keyPairLifetimeDays?: number | undefined;
}) {
  // A credential that another one on this page replaces: both work until it is revoked.
  const replacedBy = new Map(
    credentials.filter((c) => c.replaces).map((c) => [c.replaces as string, c.name]),
  );
  if (credentials.length === 0)
    return (
      <p className="px-5 py-4 text-sm text-slate-500" data-testid="no-credentials">
        No credentials yet.
      </p>
    );
  return (
    <ul className="divide-y divide-slate-100">
      {credentials.map((c) => (
        <CredentialRow
          key={c.clientId}
          teamId={teamId}
          environment={c.environment}
          clientId={c.clientId}
          name={c.name}
          createdBy={who?.get(c.createdBy) ?? c.createdByEmail ?? c.createdBy}
          createdAt={c.createdAt}
          caFile={caFile}
          keyPair={
            c.kind === "key_pair"
              ? {
                  alg: c.keyAlg,
                  expiresAt: c.keyExpiresAt,
                  replacedBy: replacedBy.get(c.clientId),
                  lifetimeDays: keyPairLifetimeDays,
                }
              : undefined
          }
        />
      ))}
    </ul>
  );
}

export function pageParam(value: string | string[] | undefined): number {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
