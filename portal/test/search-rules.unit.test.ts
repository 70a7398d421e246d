/**
 * Auth0's rules for `/clients/search` queries (5 filter operations, values indexed up to 64
 * characters, no quote break-out) and the recent-ids cookie (bounded, short-lived, ids only).
 */
import { describe, expect, it } from "vitest";
import { filterOperations, metadataQuery } from "../lib/management/clients-search";
import { clientTerms, TEAMS_PER_CREDENTIAL_QUERY } from "../lib/management/queries";
import { parseRecent, RECENT_MAX, RECENT_SECONDS, recentIds, withRecent } from "../lib/recent";

const id = (n: number) => `${"a".repeat(31)}${n}`;

describe("client search queries", () => {
  it("a team's credentials: 2 operations, Lucene on metadata", () => {
    const terms = clientTerms.teamCredentials(id(1));
    expect(filterOperations(terms)).toBe(2);
    expect(metadataQuery(terms)).toBe(
      `metadata.astral:"credential" AND metadata.teamId:"${id(1)}"`,
    );
  });

  it("several teams: each OR alternative counts; at most 4 teams fit beside the kind", () => {
    expect(TEAMS_PER_CREDENTIAL_QUERY).toBe(4);
    const four = clientTerms.teamsCredentials([1, 2, 3, 4].map(id));
    expect(filterOperations(four)).toBe(5);
    expect(metadataQuery(four)).toContain(`metadata.teamId:("${id(1)}" OR "${id(2)}"`);
    const five = clientTerms.teamsCredentials([1, 2, 3, 4, 5].map(id));
    expect(() => metadataQuery(five)).toThrow(/at most 5 filter operations \(this one: 6\)/);
  });

  it("refuses values that could break out of the quotes or that Auth0 does not index", () => {
    expect(() =>
      metadataQuery([{ key: "teamId", values: ['x" OR metadata.astral:"team'] }]),
    ).toThrow(/Malformed identifier/);
    expect(() => metadataQuery([{ key: "teamId", values: ["a".repeat(65)] }])).toThrow(
      /Malformed identifier/,
    );
    expect(metadataQuery([{ key: "teamId", values: ["a".repeat(64)] }])).toContain("a".repeat(64));
  });
});

describe("recent ids cookie", () => {
  it("keeps the newest few, for a short while, and drops anything malformed", () => {
    let value: string | undefined;
    const now = 1_000_000;
    for (let i = 0; i < RECENT_MAX + 2; i++) value = withRecent(value, id(i), now + i);
    expect(recentIds(value, now + 10)).toEqual([2, 3, 4, 5, 6].map(id));
    expect(recentIds(value, now + RECENT_SECONDS * 1000 + 10)).toEqual([]);
    expect(parseRecent("not json")).toEqual([]);
    expect(
      parseRecent(encodeURIComponent(JSON.stringify([{ id: "<script>", t: now }])), now),
    ).toEqual([]);
  });

  it("touching an id again moves it to the newest", () => {
    const now = 5_000_000;
    const v = withRecent(withRecent(withRecent(undefined, id(1), now), id(2), now), id(1), now);
    expect(recentIds(v, now)).toEqual([id(2), id(1)]);
  });
});
