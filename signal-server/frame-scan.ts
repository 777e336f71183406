/**
 * One linear pass over a client frame: strict JSON (RFC 8259) with a depth limit, and the spans of
 * the top-level object's members. The relay path forwards the payload's span as the sender wrote
 * it, so the server never re-serializes what it relays: bytes out are bytes in plus a fixed header,
 * and the work per frame is one scan of its bytes, however the payload is shaped.
 *
 * Bounded: no recursion deeper than `maxDepth` (refused past it), no allocation but the member
 * table, no exception for any input.
 */

/** Where a member's value sits in the frame text: text.slice(start, end). */
export interface Span {
  start: number;
  end: number;
}

export type ScanResult = { ok: true; members: Map<string, Span> } | { ok: false; detail: string };

enum C {
  TAB = 9,
  LF = 10,
  CR = 13,
  SPACE = 32,
  QUOTE = 34,
  PLUS = 43,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  SLASH = 47,
  ZERO = 48,
  NINE = 57,
  COLON = 58,
  UPPER_E = 69,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  LOWER_B = 98,
  LOWER_E = 101,
  LOWER_F = 102,
  LOWER_N = 110,
  LOWER_R = 114,
  LOWER_T = 116,
  LOWER_U = 117,
  LBRACE = 123,
  RBRACE = 125,
}

class Scanner {
  i = 0;
  err = '';
  constructor(
    readonly s: string,
    readonly maxDepth: number,
  ) {}

  fail(detail: string): false {
    if (!this.err) this.err = detail;
    return false;
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): boolean {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === C.LBRACE || c === C.LBRACKET) {
      if (depth >= this.maxDepth) return this.fail(`nested deeper than ${this.maxDepth}`);
      return c === C.LBRACE ? this.object(depth + 1, null) : this.array(depth + 1);
    }
    if (c === C.QUOTE) return this.string();
    if (c === C.MINUS || (c >= C.ZERO && c <= C.NINE)) return this.number();
    if (c === C.LOWER_T) return this.word('true');
    if (c === C.LOWER_F) return this.word('false');
    if (c === C.LOWER_N) return this.word('null');
    return this.fail('not JSON');
  }

  word(w: string): boolean {
    if (this.s.startsWith(w, this.i)) {
      this.i += w.length;
      return true;
    }
    return this.fail('not JSON');
  }

  /** Index of the first non-digit at or after `i`. */
  digits(i: number): number {
    const s = this.s;
    let j = i;
    for (;;) {
      const c = s.charCodeAt(j);
      if (c >= C.ZERO && c <= C.NINE) j++;
      else return j;
    }
  }

  number(): boolean {
    const s = this.s;
    let i = this.i;
    if (s.charCodeAt(i) === C.MINUS) i++;
    const c = s.charCodeAt(i);
    if (c === C.ZERO) i++;
    else if (c > C.ZERO && c <= C.NINE) i = this.digits(i);
    else return this.fail('not JSON');
    if (s.charCodeAt(i) === C.DOT) {
      const end = this.digits(i + 1);
      if (end === i + 1) return this.fail('not JSON');
      i = end;
    }
    const e = s.charCodeAt(i);
    if (e === C.LOWER_E || e === C.UPPER_E) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === C.PLUS || sign === C.MINUS) i++;
      const end = this.digits(i);
      if (end === i) return this.fail('not JSON');
      i = end;
    }
    this.i = i;
    return true;
  }

  /** A string starting at this.i (the quote); leaves this.i after the closing quote. */
  string(): boolean {
    const s = this.s;
    const n = s.length;
    let i = this.i + 1;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === C.QUOTE) {
        this.i = i + 1;
        return true;
      }
      if (c < 0x20) return this.fail('not JSON');
      if (c === C.BACKSLASH) {
        const e = s.charCodeAt(i + 1);
        if (e === C.LOWER_U) {
          for (let k = 2; k < 6; k++) {
            const h = s.charCodeAt(i + k);
            const hex = (h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102);
            if (!hex) return this.fail('not JSON');
          }
          i += 6;
          continue;
        }
        if (
          e !== C.QUOTE &&
          e !== C.BACKSLASH &&
          e !== C.SLASH &&
          e !== C.LOWER_B &&
          e !== C.LOWER_F &&
          e !== C.LOWER_N &&
          e !== C.LOWER_R &&
          e !== C.LOWER_T
        )
          return this.fail('not JSON');
        i += 2;
        continue;
      }
      i++;
    }
    return this.fail('not JSON');
  }

  array(depth: number): boolean {
    this.i++; // [
    this.ws();
    if (this.s.charCodeAt(this.i) === C.RBRACKET) {
      this.i++;
      return true;
    }
    for (;;) {
      if (!this.value(depth)) return false;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === C.RBRACKET) return true;
      if (c !== C.COMMA) return this.fail('not JSON');
    }
  }

  /** An object; with `members`, record each member's key and value span (the last of a repeated key wins, as in JSON.parse). */
  object(depth: number, members: Map<string, Span> | null): boolean {
    this.i++; // {
    this.ws();
    if (this.s.charCodeAt(this.i) === C.RBRACE) {
      this.i++;
      return true;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== C.QUOTE) return this.fail('not JSON');
      const keyStart = this.i;
      if (!this.string()) return false;
      const keyEnd = this.i;
      this.ws();
      if (this.s.charCodeAt(this.i) !== C.COLON) return this.fail('not JSON');
      this.i++;
      this.ws();
      const start = this.i;
      if (!this.value(depth)) return false;
      if (members) members.set(keyOf(this.s, keyStart, keyEnd), { start, end: this.i });
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === C.RBRACE) return true;
      if (c !== C.COMMA) return this.fail('not JSON');
    }
  }
}

/** The key a quoted JSON string denotes (escapes decoded only when present). */
function keyOf(s: string, start: number, end: number): string {
  const raw = s.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(s.slice(start, end)) as string) : raw;
}

/**
 * Validate `text` as one JSON object nested at most `maxDepth` levels (the object itself is level
 * 1) and return its members' spans. Never throws.
 */
export function scanFrame(text: string, maxDepth: number): ScanResult {
  const sc = new Scanner(text, maxDepth);
  sc.ws();
  if (text.charCodeAt(sc.i) !== C.LBRACE) {
    // still tell "not JSON" from "JSON, but not an object"
    const valid = sc.value(0);
    sc.ws();
    return { ok: false, detail: valid && sc.i === text.length ? 'not a JSON object' : sc.err || 'not JSON' };
  }
  const members = new Map<string, Span>();
  if (maxDepth < 1) return { ok: false, detail: `nested deeper than ${maxDepth}` };
  if (!sc.object(1, members)) return { ok: false, detail: sc.err };
  sc.ws();
  if (sc.i !== text.length) return { ok: false, detail: 'not JSON' };
  return { ok: true, members };
}
