/**
 * Look-alike names (Unicode TS #39, "Unicode Security Mechanisms"). A team or credential name
 * must not mix scripts ("Аlpha" with a Cyrillic А next to Latin letters), and a credential name
 * must not share a confusable skeleton with another credential of the same team and environment
 * ("АІрһа", all Cyrillic, next to "Alpha"). See docs/decisions/0700-access-taken-back.md.
 *
 * - Skeleton: NFKC first (fullwidth and other compatibility forms become the letters they stand
 *   for: "ｂｅｔａ" is "beta"), then UTS #39 §4: NFD, each character replaced by its prototype from
 *   confusables.txt, NFD again (the `unhomoglyph` package's mapping; nodeca, confusables.txt
 *   13.0.0). Finally every horizontal stroke is one dash: confusables.txt keeps "-" and the
 *   long-dash prototype "ー" (Katakana prolonged sound mark, also the prototype of "—", "―", "一")
 *   apart, but in a name beside Latin letters they read the same ("betaーsbx", "beta-sbx").
 * - Mixed script: UTS #39 §5.1 "resolved script set" over the Script_Extensions property (the
 *   regex engine's \p{scx=…}), with §5.1's augmentation for Han (Jpan, Kore, Hanb), and the
 *   "Highly Restrictive" level of §5.2: one script, or Latin with Han+Hiragana+Katakana,
 *   Han+Bopomofo or Han+Hangul. No npm package does this, hence this small module. Letters are
 *   accepted from the Recommended scripts of UAX #31 Table 5 (the scripts in modern use) only.
 */
import unhomoglyph from "unhomoglyph";

/** Dash punctuation and the long-dash prototype "ー" (U+30FC), after the UTS #39 mapping. */
const DASHES = /[\p{Pd}\u30FC]/gu;

/** Skeleton: two strings that look alike have the same skeleton (NFKC, UTS #39, dashes). */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFKC").normalize("NFD")).normalize("NFD").replace(DASHES, "-");
}

/** UAX #31 Table 5, Recommended Scripts (Unicode property value names). */
const RECOMMENDED_SCRIPTS = [
  "Arabic",
  "Armenian",
  "Bengali",
  "Bopomofo",
  "Cyrillic",
  "Devanagari",
  "Ethiopic",
  "Georgian",
  "Greek",
  "Gujarati",
  "Gurmukhi",
  "Han",
  "Hangul",
  "Hebrew",
  "Hiragana",
  "Kannada",
  "Katakana",
  "Khmer",
  "Lao",
  "Latin",
  "Malayalam",
  "Myanmar",
  "Oriya",
  "Sinhala",
  "Tamil",
  "Telugu",
  "Thaana",
  "Thai",
  "Tibetan",
] as const;

const IN_SCRIPT = RECOMMENDED_SCRIPTS.map(
  (script) => [script, new RegExp(`^\\p{scx=${script}}$`, "u")] as const,
);
/** Characters of every script (Common, Inherited): digits, spaces, punctuation, marks. */
const ANY_SCRIPT = /^[\p{scx=Common}\p{scx=Inherited}]$/u;

/** UTS #39 §5.1: Han, Hiragana, Katakana, Hangul and Bopomofo also count as their writing systems. */
const AUGMENTED: Record<string, string[]> = {
  Han: ["Japanese", "Korean", "Han with Bopomofo"],
  Hiragana: ["Japanese"],
  Katakana: ["Japanese"],
  Hangul: ["Korean"],
  Bopomofo: ["Han with Bopomofo"],
};

/** The scripts a character may belong to; "any" for Common/Inherited ones; [] if not accepted. */
function scriptsOf(char: string): string[] | "any" {
  const scripts = IN_SCRIPT.filter(([, re]) => re.test(char)).map(([script]) => script);
  if (scripts.length === 0) return ANY_SCRIPT.test(char) ? "any" : [];
  return [...new Set(scripts.flatMap((s) => [s, ...(AUGMENTED[s] ?? [])]))];
}

function resolvedScripts(sets: string[][]): string[] {
  const [first, ...rest] = sets;
  if (!first) return ["any"];
  return first.filter((s) => rest.every((set) => set.includes(s)));
}

/**
 * Why a name's scripts are not accepted, or undefined when they are: one script throughout
 * (Common characters such as digits and spaces go with any), or UTS #39's Highly Restrictive
 * combinations of Latin with Japanese, Korean or Chinese (Han with Bopomofo).
 */
export function scriptProblem(name: string): string | undefined {
  const sets: string[][] = [];
  for (const char of name.normalize("NFC")) {
    const scripts = scriptsOf(char);
    if (scripts === "any") continue;
    if (scripts.length === 0)
      return `"${char}" is from a script the portal does not accept in names`;
    sets.push(scripts);
  }
  if (resolvedScripts(sets).length > 0) return undefined;
  const withoutLatin = sets.filter((set) => !set.includes("Latin"));
  const rest = resolvedScripts(withoutLatin);
  if (rest.some((s) => ["Japanese", "Korean", "Han with Bopomofo"].includes(s))) return undefined;
  const named = [...new Set(sets.map((set) => set[0]))].join(", ");
  return `Mixes scripts (${named}): letters that look alike could pass for another name; use one script`;
}

/**
 * The other name `name` would be confused with: same skeleton but not the same text (an exact
 * repeat is plainly visible as one and stays allowed, as before), or undefined.
 */
export function lookAlikeOf(name: string, others: readonly string[]): string | undefined {
  const mine = skeleton(name);
  const text = name.normalize("NFC");
  return others.find((other) => other.normalize("NFC") !== text && skeleton(other) === mine);
}
