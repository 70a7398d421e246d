import Link from "next/link";
import { PageTitle } from "@/components/panels";
import { loadPortalConfig } from "@/lib/config/load";

/** The APIs this portal documents (portal.config.js `apis`); public, like each reference. */
export default function ReferenceIndex() {
  const { apis } = loadPortalConfig();
  return (
    <>
      <PageTitle title="API reference" subtitle="What each API offers and how to call it." />
      <ul className="grid gap-3 sm:grid-cols-2">
        {apis.map((api) => (
          <li key={api.id}>
            <Link href={`/reference/${api.id}`} className="card block p-4 hover:border-brand">
              <span className="block font-medium">{api.title}</span>
              <span className="block text-sm text-slate-500">{api.description}</span>
            </Link>
          </li>
        ))}
      </ul>
      {apis.length === 0 && <p className="text-sm text-slate-500">No APIs are configured.</p>}
    </>
  );
}
