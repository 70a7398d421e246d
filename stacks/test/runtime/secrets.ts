/** Secret values the runtime scenario configures; the test checks none leaks. */
export const SECRETS = {
  session: "runtime-session-secret-0123456789abcdef",
  bootstrap: "runtime-bootstrap-secret",
  backend: "runtime-backend-client-secret",
};
