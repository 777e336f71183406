/**
 * Browser bench: N real Chromium tabs (one context each) running the real page against the real
 * signal server, all on loopback. `npm run bench:browser -- --tabs 16 --json`
 * (the npm script wraps it in ../shared/tools/loopback-only).
 *
 * Measures
 *  - joinSeconds: from the moment the last tab is open (its node started) until every tab has
 *    joined and holds >= min(N-1, 8) routing contacts;
 *  - putGetMs: one tab puts a fresh record, another tab then gets it; the sum of the two
 *    in-page latencies (performance.now around p2p.put / p2p.get), sampled sequentially;
 *  - getSuccess: every tab gets every other tab's record (N·(N-1) gets): fraction correct;
 *  - connectionsPerTab: open data channels (max over tabs) and RTCPeerConnections created over
 *    the run (max over tabs);
 *  - afterServerKill: the server is stopped; each tab puts again, every tab gets every other
 *    tab's new record; tab i closes its channel to tab i+N/2 and redials it (signaling can only
 *    go through the overlay now). newConnections = RTCPeerConnections created after the kill.
 * Prints a table, then one JSON line (last line).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildApp, openTab, percentile, startSignal, waitUntil, type Tab } from '../helpers/p2p-pages';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v < 2 || v > 64) throw new RangeError(`--${name} must be an integer in 2..64`);
  return v;
}

const N = arg('tabs', 16);
const SAMPLES = arg('samples', 40);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function crossGet(tabs: Tab[], salt: string, expected: (j: number) => string): Promise<{ ok: number; total: number; ms: number[] }> {
  let ok = 0;
  let total = 0;
  const ms: number[] = [];
  await Promise.all(
    tabs.map(async (t, i) => {
      const keys = tabs.map((o, j) => ({ pk: o.publicKey, j })).filter((o) => o.j !== i);
      const got = await t.page.evaluate(
        ([ks, s]) =>
          Promise.all(
            ks.map(async (k) => {
              const t0 = performance.now();
              const g = await window.p2p!.get(k, s).catch(() => null);
              return { value: g?.value ?? null, ms: performance.now() - t0 };
            }),
          ),
        [keys.map((k) => k.pk), salt] as const,
      );
      got.forEach((g, n) => {
        total++;
        ms.push(g.ms);
        if (g.value === expected(keys[n]!.j)) ok++;
      });
    }),
  );
  return { ok, total, ms };
}

const evalStats = (p: Page) => p.evaluate(() => window.p2p!.stats());

async function main(): Promise<void> {
  let browser: Browser | undefined;
  const app = await buildApp();
  let signal = await startSignal(app.dir);
  const port = signal.port;
  try {
    browser = await launchChromium();
    const tabs: Tab[] = [];
    const tOpen0 = performance.now();
    for (let i = 0; i < N; i++) tabs.push(await openTab(browser, signal.url, { timeoutMs: 30_000 }));
    const tOpen = performance.now();
    const want = Math.min(N - 1, 8);
    await waitUntil(
      () => Promise.all(tabs.map((t) => t.page.evaluate(() => window.p2p!.status()))),
      (ss) => ss.every((s) => s.phase === 'joined' && s.contacts >= want),
      60_000,
      `all ${N} tabs joined with >= ${want} contacts`,
      50,
    ).catch(async (e: unknown) => {
      // Say why: the short tabs' transport and DHT counters.
      const stats = await Promise.all(tabs.map((t) => evalStats(t.page)));
      for (const [i, st] of stats.entries())
        if (st.dht.contacts < want)
          console.error(`tab ${i} (${st.dht.contacts} contacts): ${JSON.stringify({ transport: st.transport, dht: st.dht })}`);
      throw e;
    });
    const joinSeconds = (performance.now() - tOpen) / 1000;
    const joinMs = (await Promise.all(tabs.map((t) => evalStats(t.page)))).map((s) => s.joinedAfterMs ?? NaN);

    // getSuccess: all pairs (also warms up every tab: first signature checks, connections).
    await Promise.all(tabs.map((t, i) => t.page.evaluate(([v]) => window.p2p!.put('bench/all', v), [`all ${i}`] as const)));
    const all = await crossGet(tabs, 'bench/all', (j) => `all ${j}`);
    // putGet: sequential samples, writer and reader rotate.
    const putMs: number[] = [];
    const getMs: number[] = [];
    const putGetMs: number[] = [];
    let sampleMisses = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const w = tabs[s % N]!;
      // Reader offset 1..N-1 from the writer, varied across rounds: never the writer itself.
      const r = tabs[((s % N) + 1 + (Math.floor(s / N) % (N - 1))) % N]!;
      const value = `sample ${s}`;
      const p = await w.page.evaluate(
        async ([v]) => {
          const t0 = performance.now();
          const res = await window.p2p!.put('bench/sample', v);
          return { ms: performance.now() - t0, seq: res.seq };
        },
        [value] as const,
      );
      const g = await r.page.evaluate(
        async ([pk]) => {
          const t0 = performance.now();
          const res = await window.p2p!.get(pk, 'bench/sample');
          return { ms: performance.now() - t0, value: res?.value ?? null };
        },
        [w.publicKey] as const,
      );
      if (g.value !== value) sampleMisses++;
      putMs.push(p.ms);
      getMs.push(g.ms);
      putGetMs.push(p.ms + g.ms);
    }

    const before = await Promise.all(tabs.map((t) => evalStats(t.page)));

    // Kill the server.
    await signal.close();
    await waitUntil(
      () => Promise.all(tabs.map((t) => t.page.evaluate(() => window.p2p!.status().signal))),
      (ss) => ss.every((s) => s !== 'open'),
      10_000,
      'tabs to notice the server is gone',
    );
    const half = Math.floor(N / 2);
    for (let i = 0; i < half; i++) await tabs[i]!.page.evaluate((p) => window.p2p!.disconnect(p), tabs[i + half]!.id);
    await new Promise((r) => setTimeout(r, 300));
    const redials = await Promise.all(
      Array.from({ length: half }, (_, i) =>
        tabs[i]!.page.evaluate(
          (p) =>
            window.p2p!.connect(p).then(
              () => true,
              () => false,
            ),
          tabs[i + half]!.id,
        ),
      ),
    );
    await Promise.all(tabs.map((t, i) => t.page.evaluate(([v]) => window.p2p!.put('bench/offline', v), [`offline ${i}`] as const)));
    const off = await crossGet(tabs, 'bench/offline', (j) => `offline ${j}`);
    const after = await Promise.all(tabs.map((t) => evalStats(t.page)));
    const newConnections = after.reduce((n, s, i) => n + s.transport.lifetimeConnections - before[i]!.transport.lifetimeConnections, 0);
    const overlaySignals = after.reduce((n, s, i) => n + s.signaling.routes.overlay - before[i]!.signaling.routes.overlay, 0);

    // Restart the server on the same port: do the tabs come back?
    signal = await startSignal(app.dir, port);
    const tBack = performance.now();
    let reconnectSeconds: number | null = null;
    try {
      await waitUntil(
        () => Promise.all(tabs.map((t) => t.page.evaluate(() => window.p2p!.status().signal))),
        (ss) => ss.every((s) => s === 'open'),
        20_000,
        'tabs to reconnect',
      );
      reconnectSeconds = (performance.now() - tBack) / 1000;
    } catch {
      reconnectSeconds = null;
    }

    const result = {
      tabs: N,
      joinSeconds: round(joinSeconds, 2),
      putGetMs: { p50: round(percentile(putGetMs, 50)), p90: round(percentile(putGetMs, 90)) },
      connectionsPerTab: {
        max: Math.max(...after.map((s) => s.transport.open)),
        lifetime: Math.max(...after.map((s) => s.transport.lifetimeConnections)),
      },
      getSuccess: round(all.ok / all.total, 4),
      afterServerKill: { getSuccess: round(off.ok / off.total, 4), newConnections },
    };

    const rows: Array<[string, string]> = [
      ['tabs', String(N)],
      ['open all tabs, s', round((tOpen - tOpen0) / 1000, 2).toString()],
      ['join after last tab open, s', String(result.joinSeconds)],
      ['per tab, node start to joined, ms p50 / max', `${round(percentile(joinMs, 50))} / ${round(Math.max(...joinMs))}`],
      ['put ms p50 / p90', `${round(percentile(putMs, 50))} / ${round(percentile(putMs, 90))}`],
      ['get ms p50 / p90', `${round(percentile(getMs, 50))} / ${round(percentile(getMs, 90))}`],
      ['put+get ms p50 / p90', `${result.putGetMs.p50} / ${result.putGetMs.p90}  (${SAMPLES} samples, ${sampleMisses} misses)`],
      ['all-pairs get ms p50 / p90 (parallel)', `${round(percentile(all.ms, 50))} / ${round(percentile(all.ms, 90))}`],
      ['getSuccess (all pairs)', `${all.ok}/${all.total}`],
      [
        'open channels per tab, max / mean',
        `${result.connectionsPerTab.max} / ${round(after.reduce((n, s) => n + s.transport.open, 0) / N)}`,
      ],
      [
        'RTCPeerConnections per tab, max / mean',
        `${result.connectionsPerTab.lifetime} / ${round(after.reduce((n, s) => n + s.transport.lifetimeConnections, 0) / N)}`,
      ],
      ['server killed: getSuccess', `${off.ok}/${off.total}`],
      ['server killed: redials ok', `${redials.filter(Boolean).length}/${half}`],
      ['server killed: new connections, overlay signals', `${newConnections}, ${overlaySignals}`],
      ['server restarted: all tabs back, s', reconnectSeconds === null ? 'NO (20 s)' : String(round(reconnectSeconds, 2))],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(JSON.stringify(result));
  } finally {
    await browser?.close();
    await signal.close();
    await app.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
