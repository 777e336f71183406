/**
 * The Noise handshake patterns this app runs, written as token arrays for the one interpreter in
 * ./noise.ts (Noise Protocol Framework, revision 34, section 7). Kept apart so that the table can
 * be read, and checked against the spec, in one screen.
 *
 * - IK and XX (spec 7.5, interactive) carry chat sessions.
 * - X (spec 7.4, one-way) seals a single message to a known static key: a contact request or an
 *   acceptance (docs/chat-design.md). After it, only the first CipherState of Split() exists.
 */
export type Pattern = 'IK' | 'XX' | 'X';
export type KeyToken = 'e' | 's';
export type DhToken = 'ee' | 'es' | 'se' | 'ss';
export type Token = KeyToken | DhToken;

export interface PatternDef {
  /** Pre-message tokens (spec 7.1): the initiator's, then the responder's. */
  readonly pre: readonly [readonly KeyToken[], readonly KeyToken[]];
  /** Message patterns; even indexes are sent by the initiator. */
  readonly messages: readonly (readonly Token[])[];
  /**
   * Spec 7.4: after a one-way pattern only the initiator sends; "the second CipherState from
   * Split() is discarded - the recipient must not send any messages using it."
   */
  readonly oneWay: boolean;
}

/**
 * IK is `<- s ... -> e, es, s, ss  <- e, ee, se`; XX is `-> e  <- e, ee, s, es  -> s, se`;
 * X is `<- s ... -> e, es, s, ss`.
 */
export const PATTERNS: Readonly<Record<Pattern, PatternDef>> = {
  IK: {
    pre: [[], ['s']],
    messages: [
      ['e', 'es', 's', 'ss'],
      ['e', 'ee', 'se'],
    ],
    oneWay: false,
  },
  XX: { pre: [[], []], messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']], oneWay: false },
  X: { pre: [[], ['s']], messages: [['e', 'es', 's', 'ss']], oneWay: true },
};

/** In token `xy`, x is the initiator's key and y the responder's. */
export const DH_KEYS: Readonly<Record<DhToken, readonly [KeyToken, KeyToken]>> = {
  ee: ['e', 'e'],
  es: ['e', 's'],
  se: ['s', 'e'],
  ss: ['s', 's'],
};
