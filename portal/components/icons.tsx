// Small stroke icons for reference links (no icon font, no emoji: both render unreliably).
const PATHS: Record<string, string> = {
  book: "M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2zM4 19V5M8 7h7",
  code: "M8 8l-4 4 4 4M16 8l4 4-4 4M13 6l-2 12",
  status: "M3 17l5-6 4 3 7-8M21 6v5M21 6h-5",
  chat: "M4 5h16v11H9l-5 4z",
  key: "M14 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h1.1A4 4 0 0 1 14 7z",
  terminal: "M4 5h16v14H4zM7 10l3 2-3 2M12 15h5",
};

export function Icon({ name, className = "h-5 w-5" }: { name: string; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      aria-hidden="true"
    >
      <path d={PATHS[name] ?? PATHS.book} />
    </svg>
  );
}
