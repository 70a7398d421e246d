"use client";
import {
  type FormHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  useState,
  useSyncExternalStore,
} from "react";
import { Icon } from "./icons";
import type { ActionError } from "./use-action";

const subscribeToNothing = () => () => undefined;

/**
 * False in the server's HTML and while React hydrates the page, true from then on: what a control
 * that works only with the page's JavaScript needs to know before it lets anyone use it.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}

/**
 * The portal's one kind of form: its fields and buttons stay disabled until the page has
 * hydrated. Every form here runs in the browser (a server action called from `onSubmit`, a key
 * pair made with WebCrypto), so a submit before hydration would be the browser's own GET of the
 * page with the fields in its URL: the typed values gone and nothing created. A slow page load
 * (a busy machine, a slow phone) made exactly that happen to a user clicking early.
 */
export function ClientForm({
  onSubmit,
  children,
  ...form
}: Omit<FormHTMLAttributes<HTMLFormElement>, "onSubmit"> & { onSubmit: () => void }) {
  const hydrated = useHydrated();
  return (
    <form
      {...form}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {/* `contents`: the fieldset only disables; the form's own layout places the fields. */}
      <fieldset disabled={!hydrated} className="contents">
        {children}
      </fieldset>
    </form>
  );
}

/** A labelled text input that grows to fill a form row (the portal's one form field). */
export function LabeledInput({
  label,
  ...input
}: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="min-w-64 flex-1">
      <span className="mb-1 block text-sm font-medium">{label}</span>
      <input className="input" {...input} />
    </label>
  );
}

/**
 * The input for a team's or a credential's name, with the limits of the server's `name` schema
 * (lib/actions.ts: 2 to 60 characters; the script and look-alike checks stay on the server).
 */
export function NameInput(
  props: { label: string; name: string; value: string; onChange: (value: string) => void } & Pick<
    InputHTMLAttributes<HTMLInputElement>,
    "placeholder"
  >,
) {
  return (
    <LabeledInput
      {...props}
      onChange={(e) => props.onChange(e.target.value)}
      required
      minLength={2}
      maxLength={60}
    />
  );
}

/** The heading of a card about a key or a secret: the key icon, a title and a few words. */
export function KeyCardHeading({
  title,
  tone,
  children,
}: {
  title: ReactNode;
  /** amber: something to copy or download now; indigo: a form. */
  tone: "amber" | "indigo";
  children: ReactNode;
}) {
  return (
    <div className="flex items-start gap-3">
      <span className={tone === "amber" ? "text-amber-600" : "text-indigo-600"}>
        <Icon name="key" className="h-6 w-6" />
      </span>
      <div>
        <h3 className="font-semibold">{title}</h3>
        <p className="text-sm text-slate-600">{children}</p>
      </div>
    </div>
  );
}

export function ErrorNote({ error }: { error: ActionError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {error.message} <span className="text-xs text-red-500">(request id {error.requestId})</span>
    </p>
  );
}

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn-secondary shrink-0 px-2 py-1 text-xs"
      onClick={async () => {
        await navigator.clipboard?.writeText(value).catch(() => undefined);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}

export function Field({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <div className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
      <div className="flex min-w-0 items-center gap-2">
        <code
          data-testid={testId}
          className="min-w-0 flex-1 truncate rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm text-slate-800"
        >
          {value}
        </code>
        <CopyButton value={value} />
      </div>
    </div>
  );
}

/** A button that asks for confirmation inline before running. */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  onConfirm,
  pending,
  danger,
}: {
  label: string;
  confirmLabel: string;
  question: string;
  onConfirm: () => void;
  pending: boolean;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const hydrated = useHydrated();
  if (!asking)
    return (
      <button
        type="button"
        className={danger ? "btn-danger" : "btn-secondary"}
        disabled={!hydrated}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  return (
    <span className="inline-flex items-center gap-2 text-sm">
      <span className="text-slate-600">{question}</span>
      <button
        type="button"
        className={danger ? "btn btn-danger bg-red-600 text-white hover:bg-red-700" : "btn-primary"}
        disabled={pending}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {pending ? "Working…" : confirmLabel}
      </button>
      <button type="button" className="btn-secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A token's header and claims, as "try this credential" shows them. */
export function TokenView({
  result,
}: {
  result: { header: Record<string, unknown>; claims: Record<string, unknown> };
}) {
  return (
    <div className="mt-3 grid min-w-0 gap-2 md:grid-cols-[1fr_2fr]">
      <pre
        className="min-w-0 whitespace-pre-wrap break-all rounded-md bg-white p-3 text-xs"
        data-testid="try-header"
      >
        {JSON.stringify(result.header, null, 2)}
      </pre>
      <pre
        className="min-w-0 whitespace-pre-wrap break-all rounded-md bg-white p-3 text-xs"
        data-testid="try-claims"
      >
        {JSON.stringify(result.claims, null, 2)}
      </pre>
    </div>
  );
}

/** A titled, copyable block of code (a curl, a snippet). */
export function CodeBlock({
  title,
  value,
  copyLabel,
  testId,
}: {
  title: string;
  value: string;
  copyLabel: string;
  testId: string;
}) {
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</span>
        <CopyButton value={value} label={copyLabel} />
      </div>
      <pre
        className="whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100"
        data-testid={testId}
      >
        {value}
      </pre>
    </div>
  );
}
