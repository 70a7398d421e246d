import { describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import { lookAlikeOf, scriptProblem, skeleton } from "../lib/names";

describe("look-alike names (UTS #39)", () => {
  it("one script per name; Common characters go with any; Latin may join CJK", () => {
    for (const ok of [
      "Alpha",
      "Payments (EU) 2",
      "Zahlungen-ÄÖÜ",
      "Платежи",
      "Ελληνικά 2",
      "決済 Team",
      "ひらがなカタカナ漢字",
      "결제 팀 Seoul",
    ])
      expect(scriptProblem(ok), ok).toBeUndefined();
    expect(scriptProblem("Аlpha")).toMatch(/Mixes scripts \(Cyrillic, Latin\)/); // Cyrillic А
    expect(scriptProblem("Αlpha")).toMatch(/Mixes scripts \(Greek, Latin\)/); // Greek Α
    expect(scriptProblem("Ꭺlpha")).toMatch(/script the portal does not accept/); // Cherokee
  });

  it("the skeleton maps look-alikes together; an exact repeat is not a look-alike", () => {
    expect(skeleton("АІрһа")).toBe(skeleton("Alpha")); // all Cyrillic
    expect(lookAlikeOf("АІрһа", ["beta", "Alpha"])).toBe("Alpha");
    expect(lookAlikeOf("Alpha", ["Alpha"])).toBeUndefined();
    expect(lookAlikeOf("alpha", ["Alpha"])).toBeUndefined(); // case is visible
  });

  it("fullwidth letters are the letters they stand for (NFKC before the skeleton)", () => {
    expect(skeleton("ｂｅｔａ-key")).toBe(skeleton("beta-key"));
    expect(lookAlikeOf("ｂｅｔａ-key", ["beta-key"])).toBe("beta-key");
    expect(lookAlikeOf("ＡＰＩ ２", ["API 2"])).toBe("API 2");
    expect(lookAlikeOf("beta-key", ["ｂｅｔａ-key"])).toBe("ｂｅｔａ-key");
    // Partly fullwidth, as in the attack run (the mapping had some fullwidth letters, not others).
    expect(lookAlikeOf("bｅtａ-key", ["beta-key"])).toBe("beta-key");
  });

  it("look-alike dashes are one dash", () => {
    for (const dash of ["ー", "ｰ", "―", "—", "–", "‐", "−", "一"])
      expect(lookAlikeOf(`beta${dash}sbx`, ["beta-sbx"]), dash).toBe("beta-sbx");
    expect(lookAlikeOf("beta sbx", ["beta-sbx"])).toBeUndefined();
    expect(lookAlikeOf("betasbx", ["beta-sbx"])).toBeUndefined();
  });

  it("team and credential names refuse mixed scripts with a message naming the problem", () => {
    const team = actions.createTeam.input.safeParse({ name: "Аlpha" });
    expect(team.success).toBe(false);
    expect(team.error?.issues[0]?.message).toMatch(/Mixes scripts/);
    expect(actions.createTeam.input.safeParse({ name: "Alpha" }).success).toBe(true);
    const credential = actions.createCredential.input.safeParse({
      teamId: "team_0123456789abcdef",
      environment: "sandbox",
      name: "billing-ѕervice", // Cyrillic ѕ
      idempotencyKey: "0123456789abcdef0123",
    });
    expect(credential.success).toBe(false);
  });
});
