/**
 * The real page (web/, built with vite) in real Chromium tabs, each in its own browser context
 * (its own identity and IndexedDB), against the real signal server on 127.0.0.1: the tabs are
 * DHT nodes over WebRTC. Covers put/get between every pair of tabs, updates, the network
 * outliving the signal server (new connections through the overlay) and reconnecting when it
 * returns, a reload keeping identity and records, and a headless Node peer in the same network.
 * The tests share one network and run in order. Run inside ../shared/tools/loopback-only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalServer } from '../../signal-server/server';
import { startNodePeer, type NodePeer } from '../../web/headless/peer';
import { launchChromium } from '../helpers/browser';
import { joinedWithContacts } from '../helpers/peer-rig';
import { buildApp, openTab, startSignal, waitForNode, waitUntil, type BuiltApp, type Tab } from '../helpers/p2p-pages';

const N = 8;
let app: BuiltApp | undefined;
let signal: SignalServer | undefined;
let port = 0;
let browser: Browser | undefined;
const tabs: Tab[] = [];
let nodePeer: NodePeer | undefined;
let peerDir: string | undefined;
let setupError: unknown;

beforeAll(async () => {
  // launchChromium throws a clear message when Chromium is missing or when not inside the
  // loopback-only namespace; every test then fails with it (never skipped).
  try {
    browser = await launchChromium();
    app = await buildApp();
    signal = await startSignal(app.dir);
    port = signal.port;
  } catch (e) {
    setupError = e;
  }
}, 120_000);

function setupOk(): void {
  if (setupError) throw setupError;
}

afterAll(async () => {
  await nodePeer?.close();
  await browser?.close();
  await signal?.close();
  await app?.cleanup();
  if (peerDir) await rm(peerDir, { recursive: true, force: true });
});

/** Every tab puts `salt` -> `${prefix} i`, then every tab gets every other tab's record. */
async function putAndCrossGet(salt: string, prefix: string, list: Tab[] = tabs): Promise<number[]> {
  const puts = await Promise.all(list.map((t, i) => t.page.evaluate(([s, v]) => window.p2p!.put(s, v), [salt, `${prefix} ${i}`] as const)));
  for (const p of puts) expect(p.seq).toBeGreaterThan(0);
  const misses: string[] = [];
  await Promise.all(
    list.map(async (t, i) => {
      const others = list.map((o, j) => ({ pk: o.publicKey, j })).filter((o) => o.j !== i);
      const got = await t.page.evaluate(([keys, s]) => Promise.all(keys.map((k) => window.p2p!.get(k, s))), [
        others.map((o) => o.pk),
        salt,
      ] as const);
      got.forEach((g, n) => {
        const j = others[n]!.j;
        if (g?.value !== `${prefix} ${j}` || g.seq !== puts[j]!.seq) misses.push(`tab ${i} <- tab ${j}: ${JSON.stringify(g)}`);
      });
    }),
  );
  expect(misses).toEqual([]);
  return puts.map((p) => p.replicas);
}

const status = (t: Tab) => t.page.evaluate(() => window.p2p!.status());
const stats = (t: Tab) => t.page.evaluate(() => window.p2p!.stats());

describe(`${N} Chromium tabs as DHT nodes over WebRTC`, () => {
  it(`${N} tabs join, and every tab gets the record every other tab put`, async () => {
    setupOk();
    for (let i = 0; i < N; i++) tabs.push(await openTab(browser!, signal!.url));
    expect(new Set(tabs.map((t) => t.id)).size).toBe(N);
    await Promise.all(tabs.map((t) => t.page.evaluate(() => window.p2p!.ready())));
    const st = await Promise.all(tabs.map(status));
    for (const s of st) expect(s.phase).toBe('joined');
    const replicas = await putAndCrossGet('e2e/hello', 'hello from tab');
    for (const r of replicas) expect(r).toBeGreaterThanOrEqual(1);
    // The app shows the node's phase (on its root element, and in its words on the first run).
    expect(await tabs[0]!.page.evaluate(() => document.querySelector('p2p-app')?.getAttribute('phase'))).toBe('joined');
    await tabs[0]!.page
      .getByText(/^Joined/)
      .first()
      .waitFor();
    for (const t of tabs) expect(t.errors).toEqual([]);
  }, 300_000);

  it('a record updated twice reads back at the newest seq from every tab', async () => {
    setupOk();
    const w = tabs[3]!;
    const a = await w.page.evaluate(() => window.p2p!.put('e2e/counter', 'one'));
    const b = await w.page.evaluate(() => window.p2p!.put('e2e/counter', 'two'));
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.target).toBe(a.target);
    const got = await Promise.all(tabs.map((t) => t.page.evaluate(([pk]) => window.p2p!.get(pk, 'e2e/counter'), [w.publicKey] as const)));
    for (const g of got) expect(g).toMatchObject({ value: 'two', seq: b.seq });
  }, 30_000);

  it('without the signal server tabs still put and get and connect through the overlay; they reconnect when it returns', async () => {
    setupOk();
    const before = await Promise.all(tabs.map(stats));
    await signal!.close();
    signal = undefined;
    await waitUntil(
      () => Promise.all(tabs.map(status)),
      (ss) => ss.every((s) => s.signal !== 'open'),
      10_000,
      'tabs to notice the server is gone',
    );

    // New connections between tabs already in the network: close some pairs, then redial them.
    const pairs = [0, 1, 2, 3].map((i) => [tabs[i]!, tabs[i + 4]!] as const);
    for (const [a, b] of pairs) await a.page.evaluate((p) => window.p2p!.disconnect(p), b.id);
    await new Promise((r) => setTimeout(r, 300));
    const dialed = await Promise.all(
      pairs.map(([a, b]) =>
        a.page.evaluate(
          (p) =>
            window.p2p!.connect(p).then(
              () => 'ok',
              (e: unknown) => String((e as { code?: string }).code ?? e),
            ),
          b.id,
        ),
      ),
    );
    expect(dialed).toEqual(['ok', 'ok', 'ok', 'ok']);
    await putAndCrossGet('e2e/offline', 'written without a server by tab');

    const after = await Promise.all(tabs.map(stats));
    const sum = (xs: typeof before, f: (s: (typeof before)[number]) => number) => xs.reduce((n, s) => n + f(s), 0);
    const newConnections = sum(after, (s) => s.transport.lifetimeConnections) - sum(before, (s) => s.transport.lifetimeConnections);
    const overlaySignals = sum(after, (s) => s.signaling.routes.overlay) - sum(before, (s) => s.signaling.routes.overlay);
    const received = sum(after, (s) => s.signaling.routes.receivedOverlay) - sum(before, (s) => s.signaling.routes.receivedOverlay);
    expect(newConnections).toBeGreaterThanOrEqual(4);
    expect(overlaySignals).toBeGreaterThanOrEqual(8); // an offer and an answer per new connection
    expect(received).toBeGreaterThanOrEqual(8);
    expect(sum(after, (s) => s.signaling.routes.server)).toBe(sum(before, (s) => s.signaling.routes.server));
    for (const [a, b] of pairs) expect(await a.page.evaluate((p) => window.p2p!.peers().includes(p), b.id)).toBe(true);
    console.log(`[p2p e2e] server down: ${newConnections} new connections, ${overlaySignals} overlay signals`);

    // The server returns on the same port: every tab reconnects (backoff capped at 5 s) and is welcomed again.
    signal = await startSignal(app!.dir, port);
    await waitUntil(
      () => Promise.all(tabs.map(status)),
      (ss) => ss.every((s) => s.signal === 'open'),
      20_000,
      'tabs to reconnect to the server',
    );
    const back = await Promise.all(tabs.map(stats));
    back.forEach((s, i) => {
      expect(s.signaling.welcomes).toBeGreaterThan(before[i]!.signaling.welcomes);
    });
    expect(signal.hub.size).toBeGreaterThanOrEqual(N);
  }, 60_000);

  it('a reloaded tab keeps its identity and its stored records', async () => {
    setupOk();
    const t = tabs[5]!;
    const prev = await stats(t);
    const put = await t.page.evaluate(() => window.p2p!.put('e2e/mine', 'kept across reloads'));
    const t0 = Date.now();
    await t.page.reload();
    const again = await waitForNode(t.page);
    expect(again).toEqual({ id: t.id, publicKey: t.publicKey });
    const t1 = Date.now();
    await t.page.evaluate(() => window.p2p!.ready());
    const st = await stats(t);
    console.log(
      `[p2p e2e] reload: node up after ${t1 - t0} ms, joined after ${Date.now() - t0} ms (in-page ${st.joinedAfterMs?.toFixed(0)} ms)`,
    );
    expect(st.dht.records.loaded).toBeGreaterThanOrEqual(prev.dht.records.own + 1);
    expect(st.dht.records.own).toBeGreaterThanOrEqual(prev.dht.records.own + 1);
    // Its own record is there and the seq keeps growing after the reload.
    const mine = await t.page.evaluate(([pk]) => window.p2p!.get(pk, 'e2e/mine'), [t.publicKey] as const);
    expect(mine).toMatchObject({ value: 'kept across reloads', seq: put.seq });
    const next = await t.page.evaluate(() => window.p2p!.put('e2e/mine', 'after reload'));
    expect(next.seq).toBeGreaterThan(put.seq);
    expect(next.replicas, 'the put after the reload reached a holder').toBeGreaterThanOrEqual(1);
    const seen = await tabs[0]!.page.evaluate(([pk]) => window.p2p!.get(pk, 'e2e/mine'), [t.publicKey] as const);
    expect(seen).toMatchObject({ value: 'after reload', seq: next.seq });
  }, 40_000);

  it('a headless Node peer joins the same network; browsers and the peer read each other’s records', async () => {
    setupOk();
    peerDir = await mkdtemp(join(tmpdir(), 'p2p-e2e-peer-'));
    nodePeer = await startNodePeer({ signalUrl: signal!.wsUrl, dataDir: peerDir });
    expect(await joinedWithContacts(nodePeer)).toBeGreaterThanOrEqual(1);
    const p = await nodePeer.node.put('e2e/node', 'from the node peer');
    expect(p.replicas).toBeGreaterThanOrEqual(1);
    const fromTabs = await Promise.all(
      tabs.map((t) => t.page.evaluate(([pk]) => window.p2p!.get(pk, 'e2e/node'), [nodePeer!.node.publicKey] as const)),
    );
    for (const g of fromTabs) expect(g).toMatchObject({ value: 'from the node peer', seq: p.seq });
    const fromPeer = await Promise.all(tabs.map((t) => nodePeer!.node.get(t.publicKey, 'e2e/hello')));
    for (const [i, g] of fromPeer.entries()) expect(g?.value).toBe(`hello from tab ${i}`);
  }, 40_000);
});
