/**
 * Ephemeral TURN credentials: the "TURN REST API" convention that coturn implements with
 * `use-auth-secret` / `static-auth-secret`. The server and the TURN server share a secret; every
 * client gets its own username `<expiry unix seconds>:<node id>` and the credential
 * base64(HMAC-SHA1(secret, username)). A leaked credential stops working at its expiry, and no
 * static password is handed to every visitor.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../shared/protocol/signaling';

export interface TurnSecret {
  /** TURN URLs (turn:HOST:3478, turns:HOST:5349). */
  urls: string[];
  /** The secret shared with the TURN server (coturn: static-auth-secret). */
  secret: string;
  /** How long a credential stays valid, seconds. */
  ttlSec: number;
}

export function turnCredentials(t: TurnSecret, user: string, nowMs: number): IceServer {
  const username = `${Math.floor(nowMs / 1000) + t.ttlSec}:${user}`;
  const credential = createHmac('sha1', t.secret).update(username).digest('base64');
  return { urls: t.urls, username, credential };
}
