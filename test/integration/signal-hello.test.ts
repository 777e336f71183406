import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/crypto/bytes';
import { nodeIdHexFromPublicKey, sign } from '../../shared/crypto/ed25519';
import { CLOSE_CODES, helloSigningBytes, HELLO_DOMAIN } from '../../shared/protocol/signaling';
import type { SignalServer } from '../../signal-server/server';
import { RawClient, authed, keyFromSeed, startServer, until } from '../helpers/signal-harness';

describe('signal hello', () => {
  let server: SignalServer;
  const clients: RawClient[] = [];
  const client = (opts = {}): RawClient => {
    const c = new RawClient(server.wsUrl, opts);
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    // The default hello timeout (10 s): a test that takes a few round trips before its hello must
    // not race a short one on a loaded machine. The HELLO_TIMEOUT test starts its own server.
    server = await startServer({ iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }] });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('sends a challenge, accepts a good signature and pushes the ICE servers', async () => {
    const c = client();
    const kp = keyFromSeed(1);
    const w = await c.hello(kp);
    expect(w.nodeId).toBe(nodeIdHexFromPublicKey(kp.publicKey));
    expect(w.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }]);
    expect(w.peers).toEqual([]);
    expect(w.heartbeatMs).toBeGreaterThan(0);
    expect(w.limits.maxFrameBytes).toBe(16384);
    expect(server.metrics.peers).toBe(1);
    expect(helloSigningBytes('ab').length).toBe(HELLO_DOMAIN.length + 3);
  });

  it('refuses a bad signature with BAD_SIGNATURE and close 1008', async () => {
    const c = client();
    await c.hello(keyFromSeed(2), true);
    await c.error('BAD_SIGNATURE');
    const closed = await c.closed;
    expect(closed).toEqual({ code: CLOSE_CODES.POLICY, reason: 'BAD_SIGNATURE' });
    expect(server.metrics.helloFailed).toBe(1);
    expect(server.metrics.peers).toBe(0);
  });

  it('refuses a signature over another challenge (replay) and an undomain-separated one', async () => {
    const kp = keyFromSeed(3);
    const a = client();
    const ch = await a.next('challenge');
    const b = client();
    await b.next('challenge');
    // b replays a's signed challenge
    const sig = sign(helloSigningBytes(String(ch.nonce)), kp.secretKey);
    b.send({ t: 'hello', publicKey: bytesToHex(kp.publicKey), signature: bytesToHex(sig) });
    await b.error('BAD_SIGNATURE');
    // a signs the raw nonce without the domain prefix
    const raw = sign(new TextEncoder().encode(String(ch.nonce)), kp.secretKey);
    a.send({ t: 'hello', publicKey: bytesToHex(kp.publicKey), signature: bytesToHex(raw) });
    await a.error('BAD_SIGNATURE');
  });

  it('answers messages before hello with NOT_AUTHENTICATED, but ping works', async () => {
    const c = client();
    const ch = await c.next('challenge');
    c.send({ t: 'bootstrap', id: 7 });
    expect((await c.error('NOT_AUTHENTICATED')).ref).toBe(7);
    c.send({ t: 'relay', to: 'a'.repeat(40), payload: {} });
    await c.error('NOT_AUTHENTICATED');
    c.send({ t: 'ping', id: 3 });
    expect((await c.next('pong')).id).toBe(3);
    // the connection is still usable: hello now succeeds
    const kp = keyFromSeed(4);
    const sig = sign(helloSigningBytes(String(ch.nonce)), kp.secretKey);
    c.send({ t: 'hello', publicKey: bytesToHex(kp.publicKey), signature: bytesToHex(sig) });
    expect((await c.next('welcome')).nodeId).toBe(nodeIdHexFromPublicKey(kp.publicKey));
  });

  it('rejects a second hello with ALREADY_AUTHENTICATED', async () => {
    const c = await authed(server, 5);
    clients.push(c);
    c.send({ t: 'hello', publicKey: bytesToHex(keyFromSeed(6).publicKey), signature: '0'.repeat(128) });
    await c.error('ALREADY_AUTHENTICATED');
    expect(c.closeInfo).toBeNull();
  });

  it('a node id proving its key again replaces the old connection (REPLACED, close 4000)', async () => {
    const a = await authed(server, 7);
    const b = await authed(server, 7);
    clients.push(a, b);
    await a.error('REPLACED');
    expect(await a.closed).toEqual({ code: 4000, reason: 'REPLACED' });
    expect(server.metrics.peers).toBe(1);
    // relays to that id now reach the new connection
    const c = await authed(server, 8);
    clients.push(c);
    c.send({ t: 'relay', to: b.nodeId, payload: 'hi' });
    expect((await b.next('relay')).from).toBe(c.nodeId);
  });

  it('closes a connection that never says hello (HELLO_TIMEOUT, 1008)', async () => {
    await server.close();
    server = await startServer({ helloTimeoutMs: 300 });
    const c = client();
    await c.next('challenge');
    await c.error('HELLO_TIMEOUT', 3000);
    expect(await c.closed).toEqual({ code: 1008, reason: 'HELLO_TIMEOUT' });
    await until(() => server.hub.size === 0, 2000, 'hub empty');
  });
});

describe('signal hello with --turn-secret', () => {
  it('offers TURN in the welcome and mints each client its own expiring credential on request: HMAC-SHA1(secret, "<expiry>:<node id>")', async () => {
    const server = await startServer({ turnSecret: { urls: ['turn:127.0.0.1:3478'], secret: 's3cret', ttlSec: 600 }, turnPerMinPerId: 1 });
    const clients = [new RawClient(server.wsUrl), new RawClient(server.wsUrl)];
    try {
      const before = Math.floor(Date.now() / 1000);
      const welcomes = [await clients[0]!.hello(keyFromSeed(11)), await clients[1]!.hello(keyFromSeed(12))];
      const seen = new Set<string>();
      for (const [i, w] of welcomes.entries()) {
        // nothing minted unasked
        expect(w.iceServers).toHaveLength(0);
        expect(w.turn).toBe(true);
        clients[i]!.send({ t: 'turn', id: 1 });
        const answer = await clients[i]!.next('turn');
        expect(answer.id).toBe(1);
        expect(answer.ttlSec).toBe(600);
        const t = (answer.iceServers as { username: string; credential: string }[])[0]!;
        const [expiry, user] = t.username.split(':');
        expect(user).toBe(w.nodeId);
        expect(Number(expiry) - before).toBeGreaterThanOrEqual(600);
        expect(Number(expiry) - before).toBeLessThanOrEqual(605);
        // Checked with WebCrypto, independently of the server's node:crypto HMAC.
        const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('s3cret'), { name: 'HMAC', hash: 'SHA-1' }, false, [
          'sign',
        ]);
        const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(t.username)));
        expect(t.credential).toBe(Buffer.from(mac).toString('base64'));
        seen.add(t.credential);
        // the per-id budget (1 a minute here) refuses a second one
        clients[i]!.send({ t: 'turn', id: 2 });
        expect((await clients[i]!.error('RATE_LIMITED')).ref).toBe(2);
      }
      expect(seen.size).toBe(2);
      expect(server.metrics.turnCredentials).toBe(2);
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });
});
