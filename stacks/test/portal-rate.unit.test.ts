/** The plan and task count the stack gives the portal (stacks/portal-rate.ts). */
import { describe, expect, it } from "vitest";
import { portalRateValues, sandboxShareOf, UNKNOWN_SANDBOX_PORTAL } from "../portal-rate";

describe("the portal's plan and task count", () => {
  it("is its own tenant's plan and most tasks when no other portal shares the tenant", () => {
    expect(portalRateValues({ plan: "professional", maxTasks: 6 })).toEqual({
      plan: "professional",
      tasks: 6,
    });
  });

  it("keeps to the lower plan of two tenants, and counts the sandbox portal's tasks", () => {
    const sandbox = { plan: "free" as const, maxTasks: 2 };
    expect(portalRateValues({ plan: "enterprise", maxTasks: 4 }, sandbox)).toEqual({
      plan: "free",
      tasks: 6,
    });
    expect(
      portalRateValues({ plan: "essentials", maxTasks: 1 }, { plan: "enterprise", maxTasks: 5 }),
    ).toEqual({ plan: "essentials", tasks: 6 });
  });

  it("gives a preview, which owns no tenant, the sandbox tenant's plan", () => {
    expect(portalRateValues({ maxTasks: 2 }, { plan: "professional", maxTasks: 4 })).toEqual({
      plan: "professional",
      tasks: 6,
    });
    expect(() => portalRateValues({ maxTasks: 2 })).toThrow(/no tenant plan/);
  });

  it("assumes Free and the most tasks a stack allows when sandbox has not exported its values", () => {
    expect(sandboxShareOf(undefined, undefined)).toEqual({ plan: "free", maxTasks: 50 });
    expect(sandboxShareOf("pro", 0)).toEqual(UNKNOWN_SANDBOX_PORTAL);
    expect(sandboxShareOf("enterprise", 3)).toEqual({ plan: "enterprise", maxTasks: 3 });
  });
});
