/**
 * The headless Node peer (web/headless): the CLI logs its node id, a second peer joins through
 * it over real WebRTC and finds it, SIGTERM stops it cleanly, and its identity survives a
 * restart. Real signal server on port 0. Run inside ../shared/tools/loopback-only.
 */
import { joinedWithContacts, PeerRig } from '../helpers/peer-rig';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../shared/crypto/bytes';

const rig = new PeerRig();
afterEach(() => rig.cleanup());

describe('headless Node peer', () => {
  it('logs its id, is found over WebRTC, stops on SIGTERM, keeps its identity', async () => {
    await rig.start();
    const dataA = await rig.tempDir('peer-a-');
    const a = rig.cli(['--data', dataA]);
    const idLine = await a.waitLine('node id');
    expect(idLine.newIdentity).toBe(true);
    const idA = idLine.id as string;
    expect(idA).toMatch(/^[0-9a-f]{40}$/);
    await a.waitLine('joined');

    // A second peer (in-process, same code) joins through the server's sample and finds A.
    const b = await rig.peer(await rig.tempDir('peer-b-'));
    expect(await joinedWithContacts(b)).toBeGreaterThanOrEqual(1);
    const r = await b.dht.findNode(hexToBytes(idA));
    expect(r.closest.some((p, i) => p.hex === idA && r.answered[i])).toBe(true);
    expect(b.transport.isConnected(idA)).toBe(true);

    // SIGTERM: clean stop, exit 0.
    a.p.kill('SIGTERM');
    const killer = setTimeout(() => a.p.kill('SIGKILL'), 10_000);
    expect(await a.exited).toBe(0);
    clearTimeout(killer);
    expect(a.lines.some((l) => l.msg === 'shutting down')).toBe(true);

    // Restart with the same data dir: same id.
    const a2 = rig.cli(['--data', dataA]);
    const again = await a2.waitLine('node id');
    expect(again.id).toBe(idA);
    expect(again.newIdentity).toBe(false);
    await a2.waitLine('joined');
    a2.p.kill('SIGTERM');
    expect(await a2.exited).toBe(0);
  });
});
