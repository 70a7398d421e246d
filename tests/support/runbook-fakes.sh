#!/usr/bin/env bash
# Fakes for the rotation runbook's rehearsal (tests/runbook.integration.test.ts): `pulumi`, `gh`,
# `aws` and `sleep`, by the name this script is called as. State lives in $FAKE_DIR:
#   stacks               the stacks' short names, one a line (`pulumi stack ls`)
#   state/<stack>.json   each stack's `pulumi stack export` (secrets as {"plaintext": "<json>"})
#   outputs/<stack>.json each stack's outputs (`pulumi stack output`)
#   config/<stack>.json  each stack's config (`pulumi config get`)
#   secrets/<arn>        Secrets Manager: each secret's current value, by its ARN (`/`, `:` as `_`)
#   history/<stack>      one "<kind> <result> <startTime>" line per update, newest first
#   calls                every fake call, one a line, for the test to read
# Auth0 is the local tenant (curl with CURL_CA_BUNDLE). A CI run (`gh workflow run`, `gh run
# rerun`) does what that workflow's `pulumi up` does to the secret: refresh (the owner reads its
# client's secret back from Auth0), then each stack writes the sandbox backend's secret, as its
# state holds it or (StackReference) as the owner's state holds it, to Secrets Manager.
set -euo pipefail
cmd="$(basename "$0")"
echo "$cmd $*" >>"$FAKE_DIR/calls"
fail() { echo "$cmd (fake): $*" >&2; exit 2; }
arg_after() { # the value after flag $1 in the remaining args
  local flag="$1"; shift
  while [ $# -gt 0 ]; do [ "$1" = "$flag" ] && { echo "$2"; return; }; shift; done
  fail "no $flag"
}
short() { echo "${1##*/}"; }
secret_file() { echo "$FAKE_DIR/secrets/$(printf %s "$1" | tr '/:' '__')"; }

# The owner's client secret, read back from Auth0 with the bootstrap client (what a refresh does).
auth0_secret() {
  local token
  token="$(jq -n '{grant_type: "client_credentials", client_id: env.FAKE_BOOT_ID,
      client_secret: env.FAKE_BOOT_SECRET, audience: "https://\(env.FAKE_DOMAIN)/api/v2/"}' \
    | curl -sS --fail-with-body -X POST "https://$FAKE_DOMAIN/oauth/token" \
      -H 'content-type: application/json' --data @- | jq -er .access_token)"
  curl -sS --fail-with-body "https://$FAKE_DOMAIN/api/v2/clients/$FAKE_CLIENT_ID" \
    -H "authorization: Bearer $token" | jq -er .client_secret
}

# `pulumi up` of one stack in CI: the secret it writes, its Secrets Manager value, its history.
deploy() {
  local stack="$1" refresh="$2" state="$FAKE_DIR/state/$1.json" secret
  if [ "$refresh" = true ] && [ "$stack" = "$FAKE_OWNER" ]; then
    secret="$(auth0_secret)"
    jq --arg s "$secret" '(.deployment.resources[] | select(.type == "auth0:index/clientCredentials:ClientCredentials")
      | .outputs.clientSecret) = {plaintext: ($s | tojson)}' "$state" >"$state.new" && mv "$state.new" "$state"
  fi
  # The sandbox backend's secret as this stack gets it: its own state, or the owner's output.
  secret="$(jq -r '[.deployment.resources[] | select(.type == "auth0:index/clientCredentials:ClientCredentials")
    | .outputs.clientSecret.plaintext | fromjson] | first // empty' "$FAKE_DIR/state/$FAKE_OWNER.json")"
  local arn
  arn="$(jq -er --arg p "astral/$stack/${FAKE_UPPER}_AUTH0_MANAGEMENT_CLIENT_SECRET-" \
    '[.deployment.resources[] | select(.type == "aws:secretsmanager/secret:Secret" and (.outputs.name | startswith($p))) | .outputs.arn] | first' "$state")"
  printf %s "$secret" >"$(secret_file "$arn")"
  { echo "update succeeded $(date -u +%FT%TZ)"; cat "$FAKE_DIR/history/$stack" 2>/dev/null || true; } \
    >"$FAKE_DIR/history/$stack.new" && mv "$FAKE_DIR/history/$stack.new" "$FAKE_DIR/history/$stack"
}

case "$cmd" in
sleep) # the runbook's waits, 30 times shorter (Auth0's rotation delay is the emulator's, 1 s)
  exec /bin/sleep "$(awk -v s="$1" 'BEGIN { print s / 30 }')" ;;
pulumi)
  case "$1 $2" in
  "config get")
    jq -er --arg k "$3" '.[$k]' "$FAKE_DIR/config/$(short "$(arg_after -s "$@")").json" ;;
  "stack output")
    file="$FAKE_DIR/outputs/$(short "$(arg_after -s "$@")").json"
    jq -e --arg k "$3" 'has($k)' "$file" >/dev/null || fail "error: current stack does not have output property '$3'"
    jq -er --arg k "$3" 'if (.[$k] | type) == "string" then .[$k] else .[$k] | tojson end' "$file" ;;
  "stack ls")
    jq -R '{name: .}' "$FAKE_DIR/stacks" | jq -s . ;;
  "stack export")
    file="$FAKE_DIR/state/$(short "$(arg_after -s "$@")").json"
    if [[ " $* " == *" --show-secrets "* ]]; then cat "$file"
    else jq 'walk(if type == "object" and has("plaintext") then {ciphertext: "v1:AAAA"} else . end)' "$file"; fi ;;
  "stack history")
    jq -R 'split(" ") | {kind: .[0], result: .[1], startTime: .[2]}' \
      "$FAKE_DIR/history/$(short "$(arg_after -s "$@")")" | jq -s . ;;
  *) fail "unknown pulumi $*" ;;
  esac ;;
gh)
  case "$1 $2" in
  "workflow run")
    refresh="$(arg_after -f "$@")"
    case "$3" in
    deploy-sandbox.yml) deploy sandbox "${refresh#refresh=}" ;;
    promote.yml) deploy production "${refresh#refresh=}" ;;
    *) fail "no workflow $3" ;;
    esac ;;
  "run list") echo 1001 ;;
  "run watch") ;;
  "pr view") echo "feature-$3" ;;
  "run view") echo 2002 ;;
  "run rerun")
    # The preview's deploy job of that PR's last run: its pr-<n> stack deploys again.
    for s in $(grep '^pr-' "$FAKE_DIR/stacks"); do deploy "$s" false; done ;;
  *) fail "unknown gh $*" ;;
  esac ;;
aws)
  case "$1 $2" in
  "ecs describe-services") printf 'PRIMARY\tCOMPLETED\t1\n' ;;
  "ecs wait") ;;
  "logs filter-log-events") echo 0 ;;
  "secretsmanager get-secret-value")
    cat "$(secret_file "$(arg_after --secret-id "$@")")" ;;
  *) fail "unknown aws $*" ;;
  esac ;;
*) fail "unknown command" ;;
esac
