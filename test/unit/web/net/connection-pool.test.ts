import { describe, expect, it } from 'vitest';
import { ConnectionPool, POOL_DEFAULTS } from '../../../../web/net/connection-pool';
import { VirtualClock } from '../../../../shared/sim/virtual-clock';

const id = (n: number) => n.toString(16).padStart(40, '0');

function openPool(clock: VirtualClock, n: number, init = {}) {
  const pool = new ConnectionPool(clock, init);
  for (let i = 0; i < n; i++) {
    expect(pool.admit(id(i))).toEqual({ ok: true, evict: [] });
    pool.markOpen(id(i));
    clock.runFor(10);
  }
  return pool;
}

describe('ConnectionPool', () => {
  it("has the documented defaults, well below Chrome's 500", () => {
    expect(POOL_DEFAULTS.maxOpen).toBe(24);
    expect(POOL_DEFAULTS.lifetimeLimit).toBe(400);
    expect(new ConnectionPool(new VirtualClock()).init.maxOpen).toBe(24);
  });

  it('rejects a nonsensical config', () => {
    expect(() => new ConnectionPool(new VirtualClock(), { maxOpen: 0 })).toThrow(RangeError);
  });

  it('evicts the least recently used open connection when full', () => {
    const clock = new VirtualClock();
    const pool = openPool(clock, 3, { maxOpen: 3 });
    pool.touch(id(0)); // 0 is now the most recent; 1 is the LRU
    expect(pool.admit(id(9))).toEqual({ ok: true, evict: [id(1)] });
    expect(pool.has(id(1))).toBe(false);
    expect(pool.has(id(9))).toBe(true);
    expect(pool.size).toBe(3);
    expect(pool.lifetime).toBe(4);
  });

  it('never evicts protected peers or connections still connecting', () => {
    const clock = new VirtualClock();
    const pool = openPool(clock, 2, { maxOpen: 3 });
    pool.protect(id(0), 'routing');
    pool.protect(id(1), 'chat');
    expect(pool.admit(id(2)).ok).toBe(true); // connecting, not evictable
    expect(pool.admit(id(3))).toEqual({ ok: false, code: 'POOL_FULL' });
    pool.unprotect(id(1), 'chat');
    expect(pool.admit(id(3))).toEqual({ ok: true, evict: [id(1)] });
  });

  it('keeps a peer protected until its last tag is removed', () => {
    const pool = new ConnectionPool(new VirtualClock());
    pool.protect(id(1), 'routing');
    pool.protect(id(1), 'chat');
    pool.unprotect(id(1), 'routing');
    expect(pool.isProtected(id(1))).toBe(true);
    expect(pool.tagsOf(id(1))).toEqual(['chat']);
    pool.unprotect(id(1), 'chat');
    expect(pool.isProtected(id(1))).toBe(false);
  });

  it('a redial to a peer that holds a slot reuses it but counts toward the lifetime', () => {
    const clock = new VirtualClock();
    const pool = openPool(clock, 2, { maxOpen: 2 });
    expect(pool.admit(id(0))).toEqual({ ok: true, evict: [] });
    expect(pool.size).toBe(2);
    expect(pool.lifetime).toBe(3);
    expect(pool.isOpen(id(0))).toBe(false);
  });

  it('reports idle unprotected connections after the idle timeout, LRU first', () => {
    const clock = new VirtualClock();
    const pool = openPool(clock, 3, { idleTimeoutMs: 1000 });
    pool.protect(id(2), 'routing');
    expect(pool.idle()).toEqual([]);
    clock.runFor(985); // id(0) last active at 0, id(1) at 10
    pool.touch(id(1));
    clock.runFor(20);
    expect(pool.idle()).toEqual([id(0)]);
    clock.runFor(1000);
    expect(pool.idle()).toEqual([id(0), id(1)]);
  });

  it('stops at the lifetime limit with LIFETIME_LIMIT, keeping a reserve for protected peers', () => {
    const clock = new VirtualClock();
    const pool = new ConnectionPool(clock, { maxOpen: 2, lifetimeLimit: 10, protectedReserve: 3 });
    let refusedAt = -1;
    for (let i = 0; i < 20; i++) {
      const a = pool.admit(id(i));
      if (!a.ok) {
        expect(a.code).toBe('LIFETIME_LIMIT');
        refusedAt = i;
        break;
      }
      for (const e of a.evict) expect(pool.has(e)).toBe(false);
      pool.markOpen(id(i));
      clock.runFor(1);
    }
    expect(refusedAt).toBe(7);
    expect(pool.lifetime).toBe(7);
    pool.protect(id(100), 'chat');
    pool.release(id(5));
    pool.release(id(6));
    for (let i = 0; i < 3; i++) {
      expect(pool.admit(id(100)).ok).toBe(true);
    }
    expect(pool.admit(id(100))).toEqual({ ok: false, code: 'LIFETIME_LIMIT' });
    expect(pool.lifetime).toBe(10);
  });

  it('release frees the slot but keeps the lifetime count', () => {
    const clock = new VirtualClock();
    const pool = openPool(clock, 2, { maxOpen: 2 });
    pool.release(id(0));
    expect(pool.size).toBe(1);
    expect(pool.lifetime).toBe(2);
    expect(pool.admit(id(5))).toEqual({ ok: true, evict: [] });
  });
});
