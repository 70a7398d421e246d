/**
 * `npm run bench:load` options: `--users N` (default 50), `--teams N` (default one per ten
 * users), `--seconds N` (default 120), `--creators N` (default 5), `--change-every N` (seconds a
 * creator browses between two changes, default 30; 0: one change after another with only a think
 * time, the stress of ADR 0600's runs 1–25), `--plan NAME` (default free).
 * A bad value stops the run before anything starts, naming the option and what it takes.
 */
import { AUTH0_PLANS, type Auth0Plan } from "@astral/contract";

export interface LoadOptions {
  users: number;
  teams: number;
  seconds: number;
  creators: number;
  changeEvery: number;
  plan: Auth0Plan;
}

const NUMBERS = ["users", "teams", "seconds", "creators", "change-every"] as const;

export function parseLoadOptions(argv: string[]): LoadOptions {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? "";
    const name = flag.replace(/^--/, "");
    if (!flag.startsWith("--") || ![...NUMBERS, "plan"].includes(name))
      throw new Error(
        `unknown option ${flag}: bench:load takes --users, --teams, --seconds, --creators, --change-every, --plan`,
      );
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    given.set(name, value);
  }
  const whole = (name: (typeof NUMBERS)[number], fallback: number, min: number) => {
    const raw = given.get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min)
      throw new Error(`--${name} must be a whole number of at least ${min}, not "${raw}"`);
    return Number(raw);
  };
  const users = whole("users", 50, 1);
  const plan = given.get("plan") ?? "free";
  if (!(AUTH0_PLANS as readonly string[]).includes(plan))
    throw new Error(`--plan must be one of ${AUTH0_PLANS.join(", ")}, not "${plan}"`);
  const options: LoadOptions = {
    users,
    teams: whole("teams", Math.max(1, Math.round(users / 10)), 1),
    seconds: whole("seconds", 120, 1),
    creators: whole("creators", Math.min(5, users), 0),
    changeEvery: whole("change-every", 30, 0),
    plan: plan as Auth0Plan,
  };
  if (options.teams > users)
    throw new Error(`--teams (${options.teams}) cannot exceed --users (${users})`);
  if (options.creators > users)
    throw new Error(`--creators (${options.creators}) cannot exceed --users (${users})`);
  return options;
}
