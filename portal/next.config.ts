import path from "node:path";
import type { NextConfig } from "next";
import { loadPortalConfig } from "./lib/config/load";
import { STATIC_CSP, securityHeaders } from "./lib/security-headers";

// Start-up check: a bad portal.config.js stops `next dev`/`next build` with every wrong key named.
// (`next start` and the standalone server check again in instrumentation.ts.)
loadPortalConfig(path.join(__dirname, "portal.config.js"));

const repoRoot = path.join(__dirname, "..");

const config: NextConfig = {
  output: "standalone",
  // The browser test runs its own `next dev` beside a developer's, in a separate build folder.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // The contract is TypeScript source in a workspace package.
  transpilePackages: ["@astral/contract"],
  // The workspace root, so that the contract (outside portal/) is bundled and traced.
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  poweredByHeader: false,
  // The image build passes the build context's hash (portal/Dockerfile's ASTRAL_BUILD_ID): the
  // same sources give the same build id, so a rebuild from the registry cache gives the same
  // image. Without it (next dev, a local build) Next makes a random one, as by default.
  generateBuildId: async () => process.env.ASTRAL_BUILD_ID || null,
  // `next build` always type-checks, in the image as everywhere (typescript is a portal
  // devDependency, so the Dockerfile's `npm ci` installs it; Next never installs it mid-build).
  // No next/image in the portal: no image optimizer, so sharp's ~20 MB of binaries stay out of
  // the standalone bundle.
  images: { unoptimized: true },
  // Except in `npm test`, which type-checks the portal (same tsconfig) just before its tests and
  // says so to them (scripts/test.ts): the standalone-server test's build then skips a second,
  // identical check. Images and deploys never set it.
  typescript: { ignoreBuildErrors: process.env.ASTRAL_PORTAL_TYPECHECKED === "1" },
  outputFileTracingExcludes: { "*": ["../node_modules/@img/**", "../node_modules/sharp/**"] },
  devIndicators: false,
  // Next dev logs server-action arguments by default; "try this credential" carries a secret.
  // Nor the request line of an invite link (its token lets anyone join the team).
  logging: { serverFunctions: false, incomingRequests: { ignore: [/^\/join/] } },
  // The SDKs are server-only Node code: load them from node_modules instead of bundling.
  serverExternalPackages: ["auth0", "@apidevtools/swagger-parser"],
  async headers() {
    const production = process.env.NODE_ENV === "production";
    return [
      { source: "/:path*", headers: securityHeaders(production) },
      // Pages get a nonce-based CSP from proxy.ts; these paths bypass the proxy (its matcher).
      ...["/api/health", "/api/ready", "/:file(favicon\\.svg|logo\\.svg|robots\\.txt)"].map(
        (source) => ({
          source,
          headers: [{ key: "Content-Security-Policy", value: STATIC_CSP }],
        }),
      ),
    ];
  },
};

export default config;
