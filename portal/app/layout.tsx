import type { Metadata } from "next";
import type { CSSProperties, ReactNode } from "react";
import "./globals.css";
import { Header } from "@/components/header";
import { Icon } from "@/components/icons";
import { loadPortalConfig } from "@/lib/config/load";

export const dynamic = "force-dynamic";

export function generateMetadata(): Metadata {
  const { branding } = loadPortalConfig();
  return {
    title: branding.title,
    description: branding.subtitle,
    icons: branding.favicon ? [{ url: branding.favicon }] : [],
  };
}

export default function RootLayout({ children }: { children: ReactNode }) {
  const config = loadPortalConfig();
  const style = {
    "--brand": config.branding.colors.primary,
    "--brand-2": config.branding.colors.secondary,
  } as CSSProperties;
  return (
    <html lang="en">
      <body style={style} className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Header />
        <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
        <footer className="mx-auto max-w-6xl px-6 pb-10">
          {config.links.length > 0 && (
            <div className="grid gap-3 border-t border-slate-200 pt-6 sm:grid-cols-2 lg:grid-cols-3">
              {config.links.map((link) => (
                <a
                  key={link.url}
                  href={link.url}
                  target="_blank"
                  rel="noreferrer"
                  className="card flex gap-3 p-4 hover:border-brand"
                >
                  <span className="mt-0.5 text-brand">
                    <Icon name={link.icon} />
                  </span>
                  <span>
                    <span className="block text-sm font-medium text-slate-900">{link.label}</span>
                    <span className="block text-xs text-slate-500">{link.description}</span>
                  </span>
                </a>
              ))}
            </div>
          )}
        </footer>
      </body>
    </html>
  );
}
