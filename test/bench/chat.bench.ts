/**
 * Chat bench in real Chromium: `npm run bench:chat [-- --json]` (inside ../shared/tools/loopback-only).
 * 16 tabs (separate contexts) on the real server and the built page form 8 pairs that become
 * contacts through address links, then measure, through `window.p2p.chat`:
 *  - sessionSetupMs: from the owner's accept() to an end-to-end session ready on both sides, one
 *    pair at a time;
 *  - messageLatencyMs: send() in one tab to the 'message' event in the other (same host clock);
 *  - throughput: 100-byte messages one way on one pair, sent in rounds of 100 concurrent send()s,
 *    from the first send to the last message's arrival;
 *  - offlineDeliveryMs: a recipient's tab is closed (its context, and IndexedDB, kept), a message
 *    is sent, the tab reopens: from reopening (the bench opening the tab) to the message shown;
 *    and, beside it, `fromNavigationMs`: from the page's navigation start to the message, in the
 *    page (without the browser making the tab);
 *  - lost and duplicated over everything sent.
 * Prints a table, then one JSON line (last line). `BENCH_PROF=DIR` writes CPU profiles of the
 * throughput phase's two tabs (Chromium's sampling profiler, 1 ms) as DIR/throughput-*.cpuprofile;
 * `tsx test/tools/cpuprofile-top.ts FILE` lists where their time goes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildApp, openTab, percentile, startSignal, waitUntil, type Tab } from '../helpers/p2p-pages';

/** Tabs (pairs of contacts); 16 unless BENCH_TABS says otherwise (a quick look). */
const N = Number(process.env.BENCH_TABS ?? 16);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 100);
const THROUGHPUT_N = Number(process.env.BENCH_THROUGHPUT_N ?? 2000);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const json = process.argv.includes('--json');

type Log = { inbox: Array<{ id: string; from: string; at: number }>; wake: Array<() => boolean> };
/**
 * Install a message log in the page: every incoming message's id and arrival time. Waiters are
 * woken by the page's own 'message' event: polling from here would take the renderer's time
 * while it handles what is measured.
 */
async function logMessages(p: Page): Promise<void> {
  await p.evaluate(() => {
    const w = window as unknown as Log;
    w.inbox = [];
    w.wake = [];
    window.p2p!.chat.on('message', (e) => {
      if (e.message.from !== 'them') return;
      w.inbox.push({ id: e.message.messageId, from: e.contactId, at: performance.timeOrigin + performance.now() });
      w.wake = w.wake.filter((f) => !f());
    });
  });
}
/** With BENCH_PROF: Chromium's CPU profiler started in each page (1 ms samples). */
async function startProfiles(pages: Page[]): Promise<CDPSession[]> {
  if (!process.env.BENCH_PROF) return [];
  return Promise.all(
    pages.map(async (p) => {
      const cdp = await p.context().newCDPSession(p);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
      await cdp.send('Profiler.start');
      return cdp;
    }),
  );
}

async function stopProfiles(sessions: CDPSession[], names: string[]): Promise<void> {
  const dir = process.env.BENCH_PROF;
  if (!dir || sessions.length === 0) return;
  await mkdir(dir, { recursive: true });
  for (const [i, cdp] of sessions.entries()) {
    const { profile } = await cdp.send('Profiler.stop');
    await writeFile(join(dir, `throughput-${names[i]}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
}

/** Within `ms`, or throw naming `what`. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
/**
 * Wait in the page for message `want.id` (resolves with its arrival time) or for the log to hold
 * `want.count` messages (resolves with the last one's).
 */
const arrived = (p: Page, want: { id: string } | { count: number }, ms: number) =>
  within(
    ms,
    JSON.stringify(want),
    p.evaluate(
      (want) =>
        new Promise<number>((resolve) => {
          // (No named functions in here: the bench's transpiler would wrap them in a helper the page lacks.)
          const w = window as unknown as Log;
          w.wake.push(() => {
            const m = 'id' in want ? w.inbox.find((x) => x.id === want.id) : w.inbox[want.count - 1];
            if (m) resolve(m.at);
            return m !== undefined;
          });
          w.wake = w.wake.filter((f) => !f());
        }),
      want,
    ),
  );
/** Every message of a conversation, paging back through history. */
const fullHistory = (p: Page, contactId: string) =>
  p.evaluate(async (id) => {
    const out: Array<{ messageId: string }> = [];
    let before: string | undefined;
    for (;;) {
      const page = await window.p2p!.chat.messages(id, { limit: 500, ...(before ? { before } : {}) });
      if (page.length === 0) return out;
      out.unshift(...page);
      before = page[0]!.messageId;
    }
  }, contactId);
const me = (t: Tab) => t.page.evaluate(() => window.p2p!.chat.me());

const started = Date.now();
/** Progress on stderr (the table and the JSON line are the output). */
const progress = (what: string) => console.error(`[bench:chat] ${Math.round((Date.now() - started) / 1000)} s: ${what}`);

async function main(): Promise<void> {
  let browser: Browser | undefined;
  const app = await buildApp();
  const signal = await startSignal(app.dir);
  try {
    browser = await launchChromium();
    const tabs: Tab[] = [];
    for (let i = 0; i < N; i++) tabs.push(await openTab(browser, signal.url, { timeoutMs: 30_000 }));
    await Promise.all(tabs.map((t) => t.page.evaluate(() => window.p2p!.chat.ready())));
    for (const t of tabs) await logMessages(t.page);
    const ids = await Promise.all(tabs.map(me));
    const pairs = Array.from({ length: N / 2 }, (_, i) => [tabs[2 * i]!, tabs[2 * i + 1]!] as const);
    const idOf = (t: Tab) => ids[tabs.indexOf(t)]!.identityKey;

    progress('16 tabs open');
    // Contacts through links, then accept; session setup timed from accept() to ready on both sides.
    await Promise.all(pairs.map(([a, b]) => b.page.evaluate((link) => window.p2p!.chat.addContact(link), ids[tabs.indexOf(a)]!.address)));
    await Promise.all(
      pairs.map(([a, b]) =>
        waitUntil(
          () => a.page.evaluate(() => window.p2p!.chat.requests()),
          (r) => r.some((x) => x.contactId === idOf(b)),
          60_000,
          'request',
        ),
      ),
    );
    // Timed in the pages (the host clock both share), so polling from here adds nothing: each
    // page notes when its session with the other is first ready.
    const noteReady = (p: Page, peer: string) =>
      p.evaluate((id) => {
        const w = window as unknown as { readyAt?: number };
        void (async () => {
          while ((await window.p2p!.chat.sessionState(id)) !== 'ready') await new Promise((r) => setTimeout(r, 1));
          w.readyAt = performance.timeOrigin + performance.now();
        })();
      }, peer);
    const readyAt = (p: Page) => p.evaluate(() => (window as unknown as { readyAt?: number }).readyAt);
    // One pair at a time, as a person accepts a request: 8 setups at once would time 16 renderers
    // sharing the bench machine's cores (about 1.5 s each on 2 cores), not the protocol.
    const setup: number[] = [];
    for (const [a, b] of pairs) {
      await noteReady(a.page, idOf(b));
      await noteReady(b.page, idOf(a));
      const t0 = await a.page.evaluate(async (id) => {
        const at = performance.timeOrigin + performance.now();
        await window.p2p!.chat.accept(id);
        return at;
      }, idOf(b));
      const both = await waitUntil(
        () => Promise.all([readyAt(a.page), readyAt(b.page)]),
        (r) => r[0] !== undefined && r[1] !== undefined,
        60_000,
        'session ready',
        50,
      );
      setup.push(Math.max(both[0]!, both[1]!) - t0);
    }

    progress('sessions ready');
    // Latency: sequential round-robin samples over the pairs, both directions.
    const sent: Array<{ from: Tab; to: Tab; id: string; at: number }> = [];
    const latency: number[] = [];
    for (let s = 0; s < LATENCY_SAMPLES; s++) {
      const [x, y] = pairs[s % pairs.length]!;
      const [from, to] = s % 2 ? [x, y] : [y, x];
      const r = await from.page.evaluate(
        async ([id, text]) => {
          const at = performance.timeOrigin + performance.now();
          const { messageId } = await window.p2p!.chat.send(id!, text!);
          return { messageId, at };
        },
        [idOf(to), `latency ${s} ${'x'.repeat(80)}`] as const,
      );
      sent.push({ from, to, id: r.messageId, at: r.at });
      latency.push((await arrived(to.page, { id: r.messageId }, 10_000)) - r.at);
    }

    progress(`latency sampled: p50 ${round(percentile(latency, 50))} ms`);
    // Throughput: one pair, one way, 100-byte messages.
    const [ta, tb] = pairs[0]!;
    const before = await tb.page.evaluate(() => (window as unknown as Log).inbox.length);
    // The sender notes its messages' receipts (not timed: the burst's last ones are waited for below).
    await ta.page.evaluate(() => {
      const w = window as unknown as { receipted: Set<string> };
      w.receipted = new Set();
      window.p2p!.chat.on('state', (e) => {
        if (e.state === 'delivered' || e.state === 'read') w.receipted.add(e.messageId);
      });
    });
    const profiling = await startProfiles([ta.page, tb.page]);
    const t0 = Date.now();
    const burst = await ta.page.evaluate(
      async ([id, n]) => {
        // In rounds of 100 sends issued together (send() resolves once the message is stored).
        const out: string[] = [];
        for (let i = 0; i < n!; i += 100) {
          const round = Array.from({ length: Math.min(100, n! - i) }, (_, j) =>
            window.p2p!.chat.send(id as string, `t${i + j} ${'y'.repeat(94)}`.slice(0, 100)),
          );
          for (const r of await Promise.all(round)) out.push(r.messageId);
        }
        return out;
      },
      [idOf(tb), THROUGHPUT_N] as const,
    );
    await arrived(tb.page, { count: before + burst.length }, 120_000);
    const throughput = burst.length / ((Date.now() - t0) / 1000);
    await stopProfiles(profiling, ['sender', 'receiver']);
    for (const id of burst) sent.push({ from: ta, to: tb, id, at: 0 });

    progress(`throughput measured: ${Math.round(throughput)} msg/s`);
    // Every receipt back before the offline phase: a tab closed on a burst's last unconfirmed
    // messages would have its contact mail them again, and this phase measures one message.
    await within(
      60_000,
      'the burst delivered',
      ta.page.evaluate(async (ids) => {
        const w = window as unknown as { receipted: Set<string> };
        while (!ids.every((id) => w.receipted.has(id))) await new Promise((r) => setTimeout(r, 50));
      }, burst),
    );
    // Offline delivery: close the recipient's tab (its context and IndexedDB stay), send, reopen.
    const offline: number[] = [];
    const fromNavigation: number[] = [];
    for (const [a, b] of pairs.slice(0, 4)) {
      await b.page.close();
      const m = await a.page.evaluate((id) => window.p2p!.chat.send(id, 'while you were away'), idOf(b));
      await waitUntil(
        (): Promise<string | undefined> =>
          a.page.evaluate(([id, mid]) => window.p2p!.chat.messages(id!).then((l) => l.find((x) => x.messageId === mid)?.state), [
            idOf(b),
            m.messageId,
          ] as const),
        (s) => s === 'sent',
        60_000,
        'in the mailbox',
        100,
      );
      const t1 = Date.now();
      b.page = await b.ctx.newPage();
      await b.page.goto(`${signal.url}/`);
      await b.page.waitForFunction(() => window.p2p !== undefined, undefined, { timeout: 30_000 });
      // Its 'message' event, or already in history (a check that races the event).
      const shownAt = await within(
        120_000,
        'offline message shown',
        b.page.evaluate(
          ([id, mid]) =>
            new Promise<number>((resolve) => {
              window.p2p!.chat.on('message', (e) => {
                if (e.message.messageId === mid) resolve(performance.now());
              });
              void window.p2p!.chat.messages(id!).then((l) => {
                if (l.some((x) => x.messageId === mid)) resolve(performance.now());
              });
            }),
          [idOf(a), m.messageId] as const,
        ),
      );
      offline.push(Date.now() - t1);
      fromNavigation.push(shownAt);
      await logMessages(b.page);
      sent.push({ from: a, to: b, id: m.messageId, at: 0 });
    }

    progress('offline deliveries measured');
    // Lost and duplicated: every message sent, in its recipient's history, exactly once.
    let lost = 0;
    let duplicated = 0;
    for (const [x, y] of pairs) {
      for (const [from, to] of [
        [x, y],
        [y, x],
      ] as const) {
        const all = await fullHistory(to.page, idOf(from));
        const seen = new Map<string, number>();
        for (const m of all) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
        for (const s of sent.filter((s) => s.from === from && s.to === to)) {
          const c = seen.get(s.id) ?? 0;
          if (c === 0) lost++;
          if (c > 1) duplicated += c - 1;
        }
      }
    }

    const result = {
      tabs: N,
      pairs: pairs.length,
      sessionSetupMs: { p50: round(percentile(setup, 50)), p90: round(percentile(setup, 90)) },
      messageLatencyMs: { p50: round(percentile(latency, 50)), p99: round(percentile(latency, 99)) },
      throughput: Math.round(throughput),
      offlineDeliveryMs: {
        p50: round(percentile(offline, 50)),
        p90: round(percentile(offline, 90)),
        fromNavigationMs: { p50: round(percentile(fromNavigation, 50)), p90: round(percentile(fromNavigation, 90)) },
      },
      lost,
      duplicated,
      sent: sent.length,
    };
    const rows: Array<[string, string, string]> = [
      [
        'session setup ms p50 / p90 (accept → ready both sides)',
        `${result.sessionSetupMs.p50} / ${result.sessionSetupMs.p90}`,
        'p50 ≤ 300',
      ],
      ['message latency ms p50 / p99', `${result.messageLatencyMs.p50} / ${result.messageLatencyMs.p99}`, 'p50 ≤ 10, p99 ≤ 50'],
      ['throughput, 100-byte messages one way, msg/s', String(result.throughput), '≥ 2,000'],
      [
        'offline delivery ms p50 / p90 (tab reopened → shown)',
        `${result.offlineDeliveryMs.p50} / ${result.offlineDeliveryMs.p90}`,
        'p50 ≤ 3,000',
      ],
      [
        '  the same from the page’s navigation start, ms p50 / p90',
        `${result.offlineDeliveryMs.fromNavigationMs.p50} / ${result.offlineDeliveryMs.fromNavigationMs.p90}`,
        '',
      ],
      ['lost / duplicated', `${lost} / ${duplicated} of ${sent.length}`, '0 / 0'],
    ];
    if (!json) {
      console.log('| metric | result | goal |\n|---|---|---|');
      for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    } else for (const r of rows) console.error(`${r[0].padEnd(60)} ${r[1]}`);
    console.log(JSON.stringify(result));
  } finally {
    await browser?.close();
    await signal.close();
    await app.cleanup();
  }
}

await main();
