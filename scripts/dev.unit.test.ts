/** `npm run dev -- --plan`: the plan argument, and the check that the plan serves the offer. */
import { describe, expect, it } from "vitest";
import { offeredKindsOf } from "../portal/lib/config/offer";
import { checkPlanServesOffer, planFromArgs } from "./dev";

describe("npm run dev -- --plan", () => {
  it("defaults to free and takes each Auth0 plan, as --plan <name> or --plan=<name>", () => {
    expect(planFromArgs(["--reset"])).toBe("free");
    expect(planFromArgs(["--plan", "enterprise", "--reset"])).toBe("enterprise");
    expect(planFromArgs(["--plan=professional"])).toBe("professional");
    expect(planFromArgs(["--no-portal", "--plan", "essentials"])).toBe("essentials");
  });

  it("refuses a name that is not a plan, or none, naming the plans", () => {
    expect(() => planFromArgs(["--plan", "pro"])).toThrow(
      '--plan must be one of free, essentials, professional, enterprise, not "pro"',
    );
    expect(() => planFromArgs(["--plan"])).toThrow(
      "--plan needs a name: one of free, essentials, professional, enterprise",
    );
    expect(() => planFromArgs(["--plan", "--reset"])).toThrow("--plan needs a name");
  });

  it("starts on every plan with the shipped portal.config.js (client secrets)", () => {
    for (const plan of ["free", "essentials", "professional", "enterprise"] as const)
      expect(() => checkPlanServesOffer(plan, offeredKindsOf()), plan).not.toThrow();
  });

  it("refuses a plan that cannot serve key pairs the config offers, saying what to change", () => {
    const offer = { production: ["key_pair" as const], sandbox: ["client_secret" as const] };
    expect(() => checkPlanServesOffer("free", offer)).toThrow(
      /^--plan is "free", and Auth0 refuses key_pair credentials on that plan \(Private Key JWT needs enterprise\), but portal\.config\.js offers them in production .*Set --plan to enterprise/,
    );
    expect(() => checkPlanServesOffer("enterprise", offer)).not.toThrow();
  });
});
