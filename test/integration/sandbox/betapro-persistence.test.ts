/** With a state file, a restarted simulator keeps partners, goods, tasks and outdocs (the demo relies on it). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBetaproSimulator } from '@/test/sandbox/betapro';
import { control, fboxClient } from './betapro-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'betapro-sim-'));
const stateFile = path.join(dir, 'nested', 'betapro.json');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistence', () => {
  it('keeps the state across a restart and continues numbering outdocs', async () => {
    const first = await startBetaproSimulator({ stateFile, partners: [{ partnerId: 'demo', password: 'pw' }] });
    let lockedId: number;
    try {
      const api = fboxClient(first, 'demo', 'pw');
      await api('POST /settings', { body: { outdoc_types: { goods_supply_start: true } } });
      await api('POST /indocs', {
        body: {
          indoc_type: 'goods_supply_task',
          indoc_id: 'KEEP-1',
          goods: [{ good_id: 'K1', good_name: 'Товар', eans: [{ value: '460000000001' }] }],
          items: [{ good_id: 'K1', plan_qnt: 2 }],
        },
      });
      const received = await control(first, '/indocs/KEEP-1/receive', {});
      lockedId = received.body.issued_outdoc_ids.at(-1);
      await api('POST /outdocs/lock', { body: { outdocs: [{ outdoc_id: lockedId, lock: true }] } });
    } finally {
      await first.close();
    }

    // No partners passed this time: the one from the file must still authenticate.
    const second = await startBetaproSimulator({ stateFile });
    try {
      const api = fboxClient(second, 'demo', 'pw');
      expect((await api('GET /settings')).body.outdoc_types.goods_supply_start).toBe(true);
      expect((await api('POST /goods/eans/list', { body: {} })).body.items).toMatchObject([{ good_id: 'K1', ean: '460000000001' }]);
      const locked = await api('POST /outdocs/list', { body: { locked: true } });
      expect(locked.body.items.map((o: { outdoc_id: number }) => o.outdoc_id)).toEqual([lockedId]);
      expect(
        (
          await api('POST /indocs', {
            body: { indoc_type: 'goods_supply_task', indoc_id: 'KEEP-1', items: [{ good_id: 'K1', plan_qnt: 1 }] },
          })
        ).body.error_code,
      ).toBe(1001);

      await api('POST /indocs', {
        body: { indoc_type: 'goods_supply_task', indoc_id: 'KEEP-2', items: [{ good_id: 'K1', plan_qnt: 1 }] },
      });
      const next = await control(second, '/indocs/KEEP-2/receive', {});
      expect(Math.min(...next.body.issued_outdoc_ids)).toBeGreaterThan(lockedId);
    } finally {
      await second.close();
    }
  });
});
