// @ts-check
/**
 * Astral developer portal configuration: branding, reference links, the environments offered and
 * what a new credential is granted. Validated at start-up (lib/config/schema.ts); in `npm run dev`
 * a change shows on the next page load.
 *
 * @type {import("./lib/config/schema").PortalConfigInput}
 */
module.exports = {
  branding: {
    title: "Astral Developer Portal",
    subtitle: "Credentials for the Example API, in Sandbox and Production.",
    logo: "/logo.svg",
    favicon: "/favicon.svg",
    colors: { primary: "#4f46e5", secondary: "#0ea5e9" },
  },
  links: [
    {
      url: "https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow",
      label: "Client credentials flow",
      description: "How a credential becomes an access token.",
      icon: "book",
    },
    {
      url: "https://auth0.com/docs/secure/tokens/access-tokens/validate-access-tokens",
      label: "Validating tokens",
      description: "What your API checks in each token.",
      icon: "code",
    },
  ],
  environments: [
    {
      id: "sandbox",
      label: "Sandbox",
      description: "Test data, free to experiment. Try a credential right here.",
      apis: [{ audience: "https://api.example.local/", scopes: ["read:examples"] }],
      // Client secrets work on every Auth0 plan. Key pairs (Private Key JWT: made in the browser,
      // no secret exists anywhere) need an Enterprise tenant: add "key_pair" only then. This one
      // setting decides the portal's offer and the Astral Backend's grant; `pulumi preview` and
      // `npm run dev -- --plan` refuse a plan that cannot serve it (docs/deploy.md, Auth0 plans).
      credentialKinds: ["client_secret"],
      keyPairLifetimeDays: 30,
    },
    {
      id: "production",
      label: "Production",
      description: "Live data. Keep the secret in your secret store; rotate it from here.",
      apis: [{ audience: "https://api.example.local/", scopes: ["read:examples"] }],
      // Client secrets: what every Auth0 plan serves. On an Enterprise tenant the recommended
      // setting is ["key_pair"]: the portal never sees a production secret, and each key expires
      // (after keyPairLifetimeDays), so a forgotten one stops working on its own.
      credentialKinds: ["client_secret"],
      keyPairLifetimeDays: 90,
    },
  ],
  // APIs with a reference page (/reference/<id>) built from their OpenAPI 3.x document: a file
  // shipped with the portal (relative to this file; the image carries portal/openapi/) or an
  // https:// URL the server fetches. Validated at start-up. Per environment: the audience its
  // tokens carry (one of that environment's apis above) and its base URL. Signed-in members try
  // operations on Sandbox with one of their team's credentials, through the portal, which sends
  // only to the Sandbox baseUrl; Production's is shown in code samples, never called.
  apis: [
    {
      id: "example",
      title: "Example API",
      description: "The sample API that npm run dev starts (sample-api/).",
      openapi: "openapi/example-api.json",
      environments: {
        sandbox: { audience: "https://api.example.local/", baseUrl: "http://127.0.0.1:4003" },
        production: { audience: "https://api.example.local/", baseUrl: "https://api.example.com" },
      },
    },
  ],
  inviteTtlHours: 72,
  // Every team and every credential is an Auth0 client, and a tenant holds a limited number of
  // them: these keep one team or one user from spending them all. A create over a limit is
  // refused with a message naming it, and nothing is made.
  limits: {
    // Credentials one team may hold in each environment, client secrets and key pairs together
    // (1 to 100). Revoking one makes room at once.
    credentialsPerTeam: 20,
    // Team records one user may create in 24 hours (1 to 50); portal admins, who create teams
    // for others, are not limited.
    teamsPerUserPerDay: 5,
    // Your Auth0 plan's application limit (Free 10, Self Service 100): new teams and
    // credentials are refused once a tenant holds this many minus reservedApplications (kept
    // for the backend's own clients); admins see each tenant's count on the admin page.
    applicationsPerTenant: 100,
    reservedApplications: 5,
  },
};
