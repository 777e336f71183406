/**
 * Renders web/public/icon.svg to the PNG icons the manifest lists (192 and 512 px), full-bleed so
 * the 512 one also works as a maskable icon. Run inside loopback-only after changing the SVG:
 *   ../shared/tools/loopback-only npx tsx test/tools/icons.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchChromium } from '../helpers/browser';

const PUBLIC = resolve(import.meta.dirname, '../../web/public');

const svg = (await readFile(resolve(PUBLIC, 'icon.svg'), 'utf8')).replace(/rx="\d+"/, 'rx="0"');
const browser = await launchChromium();
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await writeFile(resolve(PUBLIC, `icon-${size}.png`), await page.screenshot({ type: 'png' }));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log('wrote icon-192.png and icon-512.png');
