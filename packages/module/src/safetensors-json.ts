/**
 * Handling a safetensors header's JSON text as hostile input: a linear,
 * non-recursive scan that bounds its nesting depth and finds duplicate keys
 * before and beside `JSON.parse`, and short quotes of parsed values for
 * error messages.
 *
 * Why a scan: `JSON.parse` is recursive in some engines (and anything that
 * walks its result recursively, `JSON.stringify` included, overflows the
 * stack on a 5,000-deep array), and it silently keeps the last of two equal
 * keys. Why short quotes: a header may be 100 MB, and a message must not
 * copy it.
 */

/**
 * How deep a header may nest arrays and objects: the recursion limit of
 * `serde_json`, which the Rust `safetensors` crate parses headers with. A
 * valid header nests 3 levels (the header, a tensor entry, its shape).
 */
export const MAX_HEADER_DEPTH = 128;

/** How many characters of a name or value a message quotes before cutting it. */
const QUOTE_LENGTH = 64;

/** How many characters of the engine's JSON error a message keeps. */
const ENGINE_MESSAGE_LENGTH = 200;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** 1 for the ASCII characters the scan acts on: one table look-up skips digits, letters and spaces. */
const STRUCTURAL = new Uint8Array(128);
for (const code of [QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA]) STRUCTURAL[code] = 1;

/** `text` cut to `length` characters (not splitting a surrogate pair), with `…` when cut. */
export function cutText(text: string, length = QUOTE_LENGTH): string {
  if (text.length <= length) return text;
  const end = text.charCodeAt(length - 1) >= 0xd800 && text.charCodeAt(length - 1) <= 0xdbff ? length - 1 : length;
  return `${text.slice(0, end)}…`;
}

/** A key or tensor name in single quotes, cut to a short prefix. */
export function quoteName(name: string): string {
  return `'${cutText(name)}'`;
}

/**
 * A parsed header value as JSON, cut to about 64 characters; a cut array or
 * string also says how long it is. Stops at the budget, so a 5-million-element
 * array costs as much as a short one; it recurses at most once per character
 * of the budget, and the scan has bounded the depth anyway.
 */
export function quoteJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= QUOTE_LENGTH;
  };
  const write = (item: unknown): boolean => {
    if (typeof item === 'string') return emit(JSON.stringify(item.slice(0, QUOTE_LENGTH + 1)));
    if (typeof item !== 'object' || item === null) return emit(String(JSON.stringify(item)));
    if (Array.isArray(item)) {
      if (!emit('[')) return false;
      for (let index = 0; index < item.length; index++) {
        if (index > 0 && !emit(',')) return false;
        if (!write(item[index])) return false;
      }
      return emit(']');
    }
    if (!emit('{')) return false;
    let first = true;
    for (const key in item) {
      if (!Object.hasOwn(item, key)) continue;
      if (!first && !emit(',')) return false;
      first = false;
      if (!emit(`${JSON.stringify(key.slice(0, QUOTE_LENGTH + 1))}:`)) return false;
      if (!write((item as Record<string, unknown>)[key])) return false;
    }
    return emit('}');
  };
  if (write(value)) return parts.join('');
  const cut = cutText(parts.join(''));
  if (Array.isArray(value)) return `${cut} (an array of ${value.length} ${value.length === 1 ? 'element' : 'elements'})`;
  if (typeof value === 'string') return `${cut} (a string of ${value.length} characters)`;
  return cut;
}

/** The engine's message for a `JSON.parse` failure, cut so that a huge header cannot make it huge. */
export function engineMessage(error: unknown): string {
  return cutText(error instanceof Error ? error.message : String(error), ENGINE_MESSAGE_LENGTH);
}

/**
 * Scans a header's JSON text once, without recursion: throws when it nests
 * arrays and objects deeper than {@link MAX_HEADER_DEPTH}, and returns the
 * message for the first key that appears twice in the header object or in
 * one of its entries (`null` when there is none). The caller throws that
 * message only once `JSON.parse` has accepted the text, since key positions
 * are only meaningful in valid JSON. Invalid JSON is left to `JSON.parse` to
 * report; the scan still bounds its depth.
 *
 * @throws Error when the nesting is deeper than the limit, naming the
 * top-level key it happens under and the position.
 */
export function scanHeaderJson(text: string, op: string): string | null {
  // One entry per open container: whether it is an object, and its keys when it is the header or an entry.
  const isObject: boolean[] = [];
  const keySets: (Set<string> | null)[] = [];
  let expectKey = false;
  let entryName: string | null = null;
  let duplicate: string | null = null;
  for (let position = 0; position < text.length; position++) {
    const code = text.charCodeAt(position);
    if (code >= 128 || STRUCTURAL[code] === 0) continue;
    if (code === QUOTE) {
      const end = closingQuote(text, position + 1);
      if (expectKey) {
        const key = readKey(text.slice(position, end + 1));
        const keys = keySets[keySets.length - 1];
        if (key !== null && keys) {
          if (keys.has(key) && duplicate === null) duplicate = duplicateMessage(op, key, keySets.length === 1 ? null : entryName);
          keys.add(key);
        }
        if (isObject.length === 1) entryName = key;
        expectKey = false;
      }
      position = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (isObject.length === MAX_HEADER_DEPTH) {
        const where = isObject.length > 1 && entryName !== null ? ` under ${quoteName(entryName)}` : '';
        throw new Error(
          `${op}: the header nests arrays and objects deeper than the limit of ${MAX_HEADER_DEPTH} levels${where} ` +
            `(at character ${position}; a valid header nests 3)`,
        );
      }
      isObject.push(code === OPEN_BRACE);
      keySets.push(code === OPEN_BRACE && isObject.length <= 2 ? new Set() : null);
      expectKey = code === OPEN_BRACE;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      isObject.pop();
      keySets.pop();
      expectKey = false;
    } else if (code === COMMA) {
      expectKey = isObject[isObject.length - 1] === true;
    }
  }
  return duplicate;
}

/** Where the string that starts before `from` ends: its closing quote, the first one not escaped; `text.length` when unterminated. */
function closingQuote(text: string, from: number): number {
  let end = text.indexOf('"', from);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

/** A key's value from its quoted JSON text, or `null` when the text is not a valid JSON string (JSON.parse then reports it). */
function readKey(quoted: string): string | null {
  if (!quoted.includes('\\')) return quoted.length >= 2 && quoted.endsWith('"') ? quoted.slice(1, -1) : null;
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return null;
  }
}

function duplicateMessage(op: string, key: string, entryName: string | null): string {
  const expected = 'expected each key once: JSON.parse would silently keep the last';
  if (entryName === null) {
    const what = key === '__metadata__' ? "'__metadata__'" : `tensor ${quoteName(key)}`;
    return `${op}: the header has ${what} twice (${expected})`;
  }
  const where = entryName === '__metadata__' ? '__metadata__' : `tensor ${quoteName(entryName)}`;
  return `${op}: ${where} has the key ${quoteName(key)} twice (${expected})`;
}
