import Link from "next/link";

export function AdminNav({ current }: { current: "teams" | "admins" }) {
  const item = (key: "teams" | "admins", href: string, label: string) => (
    <Link
      href={href}
      className={`rounded-md px-3 py-1.5 text-sm ${current === key ? "bg-brand text-white" : "text-slate-600 hover:bg-slate-100"}`}
    >
      {label}
    </Link>
  );
  return (
    <div className="mb-6 flex gap-2">
      {item("teams", "/admin", "Teams")}
      {item("admins", "/admin/admins", "Admins")}
    </div>
  );
}
