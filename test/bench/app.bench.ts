/**
 * App bench: the production build of the chat app, measured. `npm run bench:app [-- --runs 5 --peers 4 --json]`
 * (the npm script wraps it in ../shared/tools/loopback-only).
 *
 * Measures
 *  - firstLoadJsGzipKB: every script a new profile's first page load fetches until its node has
 *    joined (the app shell, then the node's chunk it imports at once), gzip (zlib default level
 *    6), KB = 1000 bytes; lazyJsGzipKB: the chunks loaded only when a pane needs them (network
 *    view, settings, share, details, QR code); swGzipKB: the service worker;
 *  - ttiFirstRunMs: a new profile opens the page; time from navigation start to the first run's
 *    name field rendered and usable (the app's `p2p:interactive` mark, read in the page);
 *  - ttiReturningMs: the same profile (named, with a contact) opens the page again; time to the
 *    chat list rendered (same mark; the service worker serves the shell by then);
 *  - joinedFirstRunMs / joinedReturningMs: navigation start to the node's phase "joined" (the
 *    `p2p:joined` mark), with `--peers` other nodes already in the network;
 *  - wallFirstRunMs: the same first-run figure seen from outside (from page.goto until the name
 *    field is visible, as Playwright sees it), as a cross-check of the mark.
 * Medians over `--runs` fresh profiles, on loopback with the real signal server. Prints a table,
 * then one JSON line (last line).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildApp, openTab, percentile, startSignal, waitUntil } from '../helpers/p2p-pages';
import { acceptRequest, addContact, createIdentity, newProfile, shareAddress } from '../helpers/app-ui';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v < 1 || v > 32) throw new RangeError(`--${name} must be an integer in 1..32`);
  return v;
}

const RUNS = arg('runs', 5);
const PEERS = arg('peers', 4);
const kb = (bytes: number) => Math.round(bytes / 100) / 10;
const gz = (b: Buffer) => gzipSync(b).length;

/** Sizes of the built scripts; `first` are the paths a first page load fetched. */
async function sizes(dir: string, first: ReadonlySet<string>) {
  const rows: Array<{ file: string; raw: number; gzip: number; firstLoad: boolean }> = [];
  for (const f of await readdir(join(dir, 'assets'))) {
    if (!f.endsWith('.js')) continue;
    const b = await readFile(join(dir, 'assets', f));
    rows.push({ file: `/assets/${f}`, raw: b.length, gzip: gz(b), firstLoad: first.has(`/assets/${f}`) });
  }
  const sw = await readFile(join(dir, 'sw.js'));
  const sum = (xs: typeof rows) => xs.reduce((a, r) => a + r.gzip, 0);
  return { rows, firstLoad: sum(rows.filter((r) => r.firstLoad)), lazy: sum(rows.filter((r) => !r.firstLoad)), sw: gz(sw) };
}

/** The app's own marks, ms since navigation start (undefined until set). */
const marks = (page: Page) =>
  page.evaluate(() => ({
    interactive: performance.getEntriesByName('p2p:interactive')[0]?.startTime,
    joined: performance.getEntriesByName('p2p:joined')[0]?.startTime,
  }));

async function waitMarks(page: Page): Promise<{ interactive: number; joined: number }> {
  const m = await waitUntil(
    () => marks(page),
    (x) => x.interactive !== undefined && x.joined !== undefined,
    30_000,
    'the interactive and joined marks',
  );
  return { interactive: m.interactive!, joined: m.joined! };
}

async function main(): Promise<void> {
  const app = await buildApp({ minify: true });
  const fetched = new Set<string>();
  const signal = await startSignal(app.dir);
  const browser = await launchChromium();
  const out = {
    first: [] as number[],
    wall: [] as number[],
    joinedFirst: [] as number[],
    returning: [] as number[],
    joinedReturning: [] as number[],
  };
  try {
    // The network others already form, and one person (Bob) every measured profile adds.
    const peers = [];
    for (let i = 0; i < PEERS; i++) peers.push(await openTab(browser, signal.url));
    await Promise.all(peers.map((t) => t.page.evaluate(() => window.p2p!.ready())));
    const bobCtx = await newProfile(browser);
    const bob = await bobCtx.newPage();
    await bob.goto(signal.url);
    await createIdentity(bob, 'Bob');
    const bobLink = await shareAddress(bob);

    for (let r = 0; r < RUNS; r++) {
      const ctx: BrowserContext = await newProfile(browser);
      const page = await ctx.newPage();
      const t0 = Date.now();
      await page.goto(signal.url, { waitUntil: 'commit' });
      await page.getByLabel('Your name').waitFor();
      out.wall.push(Date.now() - t0);
      const m = await waitMarks(page);
      for (const s of await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)))
        if (s.endsWith('.js') && s.startsWith('/assets/')) fetched.add(s);
      out.first.push(m.interactive);
      out.joinedFirst.push(m.joined);
      await createIdentity(page, `Person ${r}`);
      await addContact(page, bobLink);
      await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true));
      await page.close();

      const again = await ctx.newPage();
      await again.goto(signal.url);
      await again.getByRole('heading', { name: 'Chats', exact: true }).waitFor();
      const m2 = await waitMarks(again);
      out.returning.push(m2.interactive);
      out.joinedReturning.push(m2.joined);
      await ctx.close();
    }
    // Bob's requests arrived: the measured profiles were real participants.
    await acceptRequest(bob, 'Person 0');
    await bobCtx.close();
  } finally {
    await browser.close();
    await signal.close();
  }

  const size = await sizes(app.dir, fetched);
  await app.cleanup();
  const stat = (xs: number[]) => ({ p50: Math.round(percentile(xs, 50)), max: Math.round(Math.max(...xs)) });
  const result = {
    firstLoadJsGzipKB: kb(size.firstLoad),
    lazyJsGzipKB: kb(size.lazy),
    swGzipKB: kb(size.sw),
    ttiFirstRunMs: stat(out.first),
    ttiReturningMs: stat(out.returning),
    joinedFirstRunMs: stat(out.joinedFirst),
    joinedReturningMs: stat(out.joinedReturning),
    wallFirstRunMs: stat(out.wall),
    runs: RUNS,
    peers: PEERS,
    samples: {
      ttiFirstRun: out.first.map(Math.round),
      ttiReturning: out.returning.map(Math.round),
      joinedFirstRun: out.joinedFirst.map(Math.round),
    },
  };
  console.log('\n| chunk | raw KB | gzip KB | first load |\n|---|---|---|---|');
  for (const r of size.rows.sort((a, b) => b.gzip - a.gzip))
    console.log(`| ${r.file} | ${kb(r.raw)} | ${kb(r.gzip)} | ${r.firstLoad ? 'yes' : 'no'} |`);
  console.log(`| /sw.js | | ${kb(size.sw)} | (worker) |`);
  console.log('\n| figure | p50 | max | goal |\n|---|---|---|---|');
  console.log(`| first-load JS, gzip KB | ${result.firstLoadJsGzipKB} | | ≤ 150 |`);
  console.log(`| time to interactive, first run, ms | ${result.ttiFirstRunMs.p50} | ${result.ttiFirstRunMs.max} | ≤ 1000 |`);
  console.log(`| time to interactive, returning profile, ms | ${result.ttiReturningMs.p50} | ${result.ttiReturningMs.max} | ≤ 1000 |`);
  console.log(`| page open to joined, first run, ms | ${result.joinedFirstRunMs.p50} | ${result.joinedFirstRunMs.max} | |`);
  console.log(`| page open to joined, returning, ms | ${result.joinedReturningMs.p50} | ${result.joinedReturningMs.max} | |`);
  console.log(`| first run seen from outside (goto to name field), ms | ${result.wallFirstRunMs.p50} | ${result.wallFirstRunMs.max} | |`);
  console.log(JSON.stringify(result));
}

await main();
