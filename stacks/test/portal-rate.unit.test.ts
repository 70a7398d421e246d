/** The plan and task count the stack gives the portal (stacks/portal-rate.ts). */
import { describe, expect, it } from "vitest";
import { portalRateValues, sandboxShareOf, UNKNOWN_SANDBOX_PORTAL } from "../portal-rate";

describe("the portal's plan and task count", () => {
  it("gives the sandbox portal its own tenant's plan and most tasks", () => {
    expect(portalRateValues({ plan: "professional", maxTasks: 6 })).toEqual({
      sandbox: { plan: "professional", tasks: 6 },
    });
    expect(() => portalRateValues({ maxTasks: 2 })).toThrow(/no tenant plan/);
  });

  it("gives production each tenant's own plan; only the sandbox tenant counts the sandbox portal's tasks", () => {
    const sandbox = { plan: "free" as const, maxTasks: 2 };
    expect(portalRateValues({ plan: "enterprise", maxTasks: 4 }, sandbox)).toEqual({
      production: { plan: "enterprise", tasks: 4 },
      sandbox: { plan: "free", tasks: 6 },
    });
  });

  it("gives a preview, which owns no tenant, the sandbox tenant's plan", () => {
    expect(portalRateValues({ maxTasks: 2 }, { plan: "professional", maxTasks: 4 })).toEqual({
      sandbox: { plan: "professional", tasks: 6 },
    });
  });

  it("assumes Free and the most tasks a stack allows when sandbox has not exported its values", () => {
    expect(sandboxShareOf(undefined, undefined)).toEqual({ plan: "free", maxTasks: 50 });
    expect(sandboxShareOf("pro", 0)).toEqual(UNKNOWN_SANDBOX_PORTAL);
    expect(sandboxShareOf("enterprise", 3)).toEqual({ plan: "enterprise", maxTasks: 3 });
  });
});
