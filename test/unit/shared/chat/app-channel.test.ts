import { describe, expect, it } from 'vitest';
import { AppChannel } from '../../../../shared/chat/app-channel';
import { APP_RATE } from '../../../../shared/chat/constants';
import { ChatError } from '../../../../shared/chat/errors';
import { utf8 } from '../../../../shared/crypto/bytes';
import { createTestnet } from '../../../../shared/sim/testnet';
import { testSeed } from '../../../helpers/dht';

const SEED = testSeed(11);

function net(n = 20) {
  const tn = createTestnet(n, { seed: SEED });
  const channels = tn.nodes.map((sn) => new AppChannel(sn.node));
  return { tn, channels };
}

/** Run the virtual clock until `p` settles. */
async function settle<T>(tn: ReturnType<typeof createTestnet>, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 1000 && !done; i++) {
    tn.clock.runFor(10);
    await Promise.resolve();
  }
  return p;
}

describe('AppChannel', () => {
  it('delivers a payload to the node with that id, and its answer back', async () => {
    const { tn, channels } = net();
    const seen: Array<[string, string]> = [];
    channels[7]!.onMessage((from, p) => {
      seen.push([from, utf8.decode(p)]);
      return utf8.encode('pong');
    });
    const answer = await settle(tn, channels[2]!.send(tn.nodes[7]!.node.hex, utf8.encode('ping')));
    expect(utf8.decode(answer!)).toBe('pong');
    expect(seen).toEqual([[tn.nodes[2]!.node.hex, 'ping']]);
  });

  it('an async handler may answer later; a throwing one is counted and refused (BUSY: try again), never acked', async () => {
    const { tn, channels } = net();
    channels[3]!.onMessage(async () => utf8.encode('later'));
    expect(utf8.decode((await settle(tn, channels[4]!.send(tn.nodes[3]!.node.hex, utf8.encode('x'))))!)).toBe('later');
    channels[5]!.onMessage(() => {
      throw new Error('bug');
    });
    const err = await settle(tn, channels[4]!.send(tn.nodes[5]!.node.hex, utf8.encode('x'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('BUSY');
    expect(channels[5]!.counters.get('handler.error')).toBe(1);
  });

  it('a node that is gone: the send rejects with NOT_FOUND', async () => {
    const { tn, channels } = net();
    const gone = tn.nodes[9]!;
    tn.crash(gone);
    const err = await settle(tn, channels[1]!.send(gone.node.hex, utf8.encode('x'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('NOT_FOUND');
  });

  it('bounds what one sender can make a node handle: beyond the burst it is refused', async () => {
    const { tn, channels } = net();
    let handled = 0;
    channels[6]!.onMessage(() => {
      handled++;
      return undefined;
    });
    const sends = Array.from({ length: APP_RATE.burst + 30 }, () =>
      channels[2]!.send(tn.nodes[6]!.node.hex, utf8.encode('x')).catch(() => 'refused'),
    );
    await settle(tn, Promise.all(sends));
    expect(handled).toBeGreaterThanOrEqual(APP_RATE.burst);
    expect(handled).toBeLessThan(APP_RATE.burst + 30);
    expect(channels[6]!.counters.get('drop.rate_limited')).toBeGreaterThan(0);
  });
});
