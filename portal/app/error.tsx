"use client";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div role="alert" className="card mx-auto max-w-xl border-red-200 p-6">
      <h1 className="font-semibold text-red-800">Something went wrong</h1>
      <p className="mt-1 text-sm text-red-700">
        The page could not be shown. Reference: {error.digest ?? "-"}
      </p>
      <button type="button" className="btn-secondary mt-4" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
