/**
 * go-auth0's recorder rewrote some answers before saving them (`management/http_recordings_test.go`
 * at v1.45.0, `redactSensitiveDataInClient` and `redactSensitiveDataInResourceServer`): it decoded a
 * client or resource-server answer into its Go struct and encoded it again. That drops every key the
 * struct does not know and every `null` (pointer fields with `omitempty`), replaces `client_secret`
 * and `signing_keys` (even in a 404 body), and removes `signing_secret`. The replay applies the same
 * rewrite to the local answer, so both sides are compared as the recorder would have saved them.
 */

/** JSON names of go-auth0 v1.45.0 `management.Client` (management/client.go). */
const CLIENT_FIELDS = new Set(
  (
    "name description client_id client_secret app_type logo_uri is_first_party " +
    "is_token_endpoint_ip_header_trusted oidc_conformant callbacks allowed_origins web_origins " +
    "client_aliases allowed_clients allowed_logout_urls jwt_configuration signing_keys " +
    "encryption_key sso sso_disabled cross_origin_authentication grant_types cross_origin_loc " +
    "custom_login_page_on custom_login_page custom_login_page_preview form_template addons " +
    "token_endpoint_auth_method client_metadata mobile initiate_login_uri native_social_login " +
    "refresh_token organization_usage organization_require_behavior client_authentication_methods " +
    "require_pushed_authorization_requests oidc_backchannel_logout oidc_logout signed_request_object " +
    "compliance_level require_proof_of_possession default_organization token_exchange token_quota " +
    "session_transfer resource_server_identifier skip_non_verifiable_callback_uri_confirmation_prompt " +
    "organization_discovery_methods async_approval_notification_channels express_configuration " +
    "my_organization_configuration external_client_id external_metadata_type " +
    "external_metadata_created_by jwks_uri third_party_security_mode redirection_policy fedcm_login"
  ).split(" "),
);

/** JSON names of go-auth0 v1.45.0 `management.ResourceServer` (management/resource_server.go). */
const RESOURCE_SERVER_FIELDS = new Set(
  (
    "id name identifier client_id scopes signing_alg allow_offline_access allow_online_access " +
    "allow_online_access_with_ephemeral_sessions token_lifetime token_lifetime_for_web " +
    "skip_consent_for_verifiable_first_party_clients verificationLocation options enforce_policies " +
    "is_system token_dialect consent_policy authorization_details token_encryption " +
    "proof_of_possession subject_type_authorization authorization_policy"
  ).split(" "),
);

/** Go's `omitempty` on pointers: a JSON `null` decodes to nil and is not written back. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

function keepFields(body: unknown, fields: ReadonlySet<string>): Record<string, unknown> {
  const object = body && typeof body === "object" && !Array.isArray(body) ? body : {};
  return withoutNulls(
    Object.fromEntries(Object.entries(object).filter(([k]) => fields.has(k))),
  ) as Record<string, unknown>;
}

/** Whether go-auth0's recorder rewrote this recorded client answer (its redaction mark is in it). */
function rewrittenClient(recorded: unknown): boolean {
  const secret = (recorded as { client_secret?: unknown } | undefined)?.client_secret;
  return secret === "[REDACTED]" || secret === "[ROTATED-REDACTED]";
}

/**
 * The local answer as go-auth0's recorder would have saved it (unchanged where it did not touch
 * it). Recordings older than the client rewrite (no redaction mark) are compared as they are.
 */
export function recorderView(
  method: string,
  url: string,
  body: unknown,
  recorded: unknown,
): unknown {
  const isList = url.includes("include_totals");
  if (url.startsWith("/api/v2/clients") && !url.includes("/connections")) {
    const rotate = url.includes("/rotate-secret");
    const touched = method === "POST" || method === "GET" || method === "PATCH" || rotate;
    if (touched && !isList && !url.includes("/credentials") && rewrittenClient(recorded)) {
      const redacted = rotate ? "[ROTATED-REDACTED]" : "[REDACTED]";
      return {
        ...keepFields(body, CLIENT_FIELDS),
        signing_keys: [{ cert: redacted }],
        client_secret: redacted,
      };
    }
  }
  if (url.startsWith("/api/v2/resource-servers")) {
    const touched = method === "POST" || method === "GET" || method === "PATCH";
    if (touched && !isList) return keepFields(body, RESOURCE_SERVER_FIELDS);
  }
  return body;
}
