/**
 * One operation of the reference, rendered on the server from the parsed OpenAPI document: what
 * it does, the scope it needs, its parameters and responses, and a curl per environment. "Try it"
 * (a client component) is added below it when the reader may try it.
 */
import type { ReactNode } from "react";
import type { Operation } from "@/lib/reference/operations";
import { operationCurl } from "@/lib/reference/samples";
import { CodeBlock } from "../ui";

const METHOD_TONE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  put: "bg-amber-100 text-amber-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

export interface SampleTarget {
  label: string;
  baseUrl: string;
}

export function OperationView({
  operation,
  targets,
  tryIt,
}: {
  operation: Operation;
  targets: SampleTarget[];
  tryIt?: ReactNode;
}) {
  return (
    <section
      id={operation.id}
      className="card mb-4 scroll-mt-6 p-5"
      aria-labelledby={`${operation.id}-title`}
      data-testid={`operation-${operation.id}`}
    >
      <h3 id={`${operation.id}-title`} className="flex flex-wrap items-center gap-3">
        <span
          className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_TONE[operation.method] ?? ""}`}
        >
          {operation.method}
        </span>
        <code className="font-mono text-sm">{operation.path}</code>
        <span className="font-semibold">{operation.summary}</span>
      </h3>
      {operation.description && (
        <p className="mt-2 text-sm text-slate-600">{operation.description}</p>
      )}
      {operation.scopes.length > 0 && (
        <p className="mt-2 text-sm">
          Needs scope{" "}
          {operation.scopes.map((s) => (
            <code key={s} className="badge mr-1">
              {s}
            </code>
          ))}
        </p>
      )}
      {operation.parameters.length > 0 && (
        <table className="mt-3 w-full text-left text-sm">
          <caption className="sr-only">Parameters of {operation.summary}</caption>
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {operation.parameters.map((p) => (
              <tr key={`${p.in}:${p.name}`} className="border-t border-slate-100">
                <td className="py-1 font-mono">
                  {p.name}
                  {p.required && <span title="required"> *</span>}
                </td>
                <td>{p.in}</td>
                <td>{p.type}</td>
                <td className="text-slate-600">{p.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        {operation.responses.map((r) => (
          <div key={r.status} className="contents">
            <dt className="font-mono">{r.status}</dt>
            <dd className="text-slate-600">{r.description}</dd>
          </div>
        ))}
      </dl>
      <div className="mt-3 grid gap-3 lg:grid-cols-2">
        {targets.map((t) => (
          <CodeBlock
            key={t.label}
            title={`${t.label} request`}
            value={operationCurl(operation, t.baseUrl)}
            copyLabel="Copy"
            testId={`sample-${t.label.toLowerCase()}-${operation.id}`}
          />
        ))}
      </div>
      {tryIt}
    </section>
  );
}
