/**
 * Child process for the clean-exit test: real connections, frames both ways, then destroy()
 * and NO process.exit — the process must end on its own (nothing left holding the loop).
 */
import { createWrtcTestnet, waitFor } from './wrtc';

const net = createWrtcTestnet(3);
const [a, b, c] = net.nodes as [NonNullable<(typeof net.nodes)[0]>, NonNullable<(typeof net.nodes)[0]>, NonNullable<(typeof net.nodes)[0]>];
let got = 0;
for (const t of net.nodes) t.onFrame(() => got++);
a.send(b.id, Uint8Array.of(1));
b.send(c.id, Uint8Array.of(2));
c.send(a.id, Uint8Array.of(3));
await waitFor(() => got === 3, 10_000, 'frames');
net.destroy();
process.stdout.write(`destroyed at ${Date.now()}\n`);
