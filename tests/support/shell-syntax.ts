/** Bash syntax the deploy docs use, as tests/support/doc-shell.ts reads it: quotes, `$(...)`, comments. */

/** The index of the `)` closing the `(` at `open`. */
export function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0) return i;
  }
  throw new Error(`unclosed $( in ${text}`);
}

/** The index of the `"` closing the one at `open` (skipping over `$(...)`). */
export function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "(") i = closing(text, i + 1);
    else if (text[i] === '"') return i;
  }
  throw new Error(`unclosed quote in ${text}`);
}

/** A line without its trailing `# comment` (a `#` outside quotes after whitespace). */
export function stripComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i);
  }
  return line;
}

/** Splits on `sep` outside quotes and `$(...)`. */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let quote = "";
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && text.startsWith(sep, i) && !(sep === "|" && text[i + 1] === "|")) {
      parts.push(text.slice(start, i).trim());
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}
