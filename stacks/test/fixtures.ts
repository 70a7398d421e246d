/** Stack configs the stack tests load (keys without the `astral:` namespace, as Pulumi stores them). */

export const SANDBOX_SESSION_SECRET = "session-secret-for-tests-0123456789abcdef";
export const SANDBOX_BOOTSTRAP_SECRET = "bootstrap-client-secret-for-tests";

export const SANDBOX_CONFIG: Record<string, string> = {
  "aws:region": "eu-west-1",
  role: "sandbox",
  auth0Domain: "fixture-sandbox.eu.auth0.com",
  auth0Plan: "free",
  auth0ClientId: "bootstrapClientId",
  auth0ClientSecret: SANDBOX_BOOTSTRAP_SECRET,
  adminEmail: "admin@fixture.test",
  imageTag: "0123456789ab-4711-1",
  sessionSecret: SANDBOX_SESSION_SECRET,
  domainName: "portal.sandbox.fixture.test",
  hostedZoneId: "Z0123456789ABC",
  previewDomain: "previews.fixture.test",
  apiIdentifier: "https://api.fixture.test/",
};
