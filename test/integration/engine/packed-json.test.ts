/**
 * Plans and outdocs are stored as gzip-compressed JSON (lib/db/packed-json.ts) on both databases;
 * rows written before the packed columns existed (plain `plan` / `raw` JSON) still read the same; and
 * ordinary reads leave these large columns out.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packJson, unpackJson } from '@/lib/db/packed-json';
import { loadStoredPlan, packStoredPlan, receiptsOf, WITH_OUTDOC_BODY, type StoredPlan } from '@/lib/sync/receipt/stored';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

const ACCOUNT = 'acc-packed';

function bigPlan(lines: number): StoredPlan {
  return {
    lines: Array.from({ length: lines }, (_, i) => ({
      goodId: `good-${i}`,
      quantity: 1 + (i % 7),
      name: `Товар «${i}» — ёлка`,
      price: 100 * i,
      assortment: {
        href: `https://api.moysklad.ru/api/remap/1.2/entity/product/${randomUUID()}`,
        type: 'product' as const,
      },
      positionIds: [randomUUID()],
    })),
    positionQuantities: { [randomUUID()]: 3 },
  };
}

/** A `GET /outdocs/{id}` body as BetaPRO sends it (see test/unit/betapro/receipt.test.ts). */
const outdocRaw = (indocId: string) => ({
  success: true,
  outdoc_type: 'goods_supply',
  common: {
    outdoc_id: 7000123,
    outdoc_type: 'goods_supply',
    outdoc_type_descrip: 'Товары оприходованы',
    outdoc_date: '2025-03-11',
    created_at: '2025-03-11T17:42:10',
    indoc_id: indocId,
  },
  goods: [{ good_id: 'good-1', plan_qnt: 3, useful_qnt: 2, defective_qnt: 1 }],
});

describe('packed JSON', () => {
  it('round-trips any JSON value and is much smaller than the text for a large plan', async () => {
    const plan = bigPlan(5000);
    const packed = await packJson(plan);
    expect(packed).toBeInstanceOf(Uint8Array);
    expect(packed.byteLength).toBeLessThan(JSON.stringify(plan).length / 4);
    expect(await unpackJson(packed)).toEqual(plan);
    for (const value of [null, 0, 'ё', [1, { a: [true] }]]) expect(await unpackJson(await packJson(value))).toEqual(value);
  });

  it('rejects bytes that are not what packJson wrote', async () => {
    await expect(unpackJson(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});

describe.each(TEST_DATABASE_KINDS)('stored plans and outdocs on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.prisma.installation.create({
      data: { accountId: ACCOUNT, appId: 'app-1', webhookSecretHash: `hash-${randomUUID()}` },
    });
  });
  afterAll(() => db.close());

  it('reads a packed plan and outdoc back as written', async () => {
    const plan = bigPlan(1200);
    const doc = await db.prisma.syncDocument.create({
      data: {
        accountId: ACCOUNT,
        entity: 'supply',
        msId: randomUUID(),
        indocId: 'S-1',
        planPacked: await packStoredPlan(plan),
      },
    });
    await db.prisma.outdoc.create({
      data: {
        accountId: ACCOUNT,
        outdocId: 1001n,
        indocId: 'S-1',
        documentId: doc.id,
        kind: 'goods_supply',
        rawPacked: await packJson(outdocRaw('S-1')),
      },
    });
    // Ordinary reads leave the large columns out (lib/db LARGE_COLUMNS).
    const ordinary = await db.prisma.syncDocument.findUniqueOrThrow({ where: { id: doc.id } });
    expect(Object.keys(ordinary)).not.toContain('planPacked');
    expect(Object.keys(ordinary)).not.toContain('plan');
    expect(Object.keys(await db.prisma.outdoc.findFirstOrThrow({ where: { documentId: doc.id } }))).not.toContain('rawPacked');
    const columns = await db.prisma.syncDocument.findUniqueOrThrow({
      where: { id: doc.id },
      select: { plan: true, planPacked: true },
    });
    expect(columns.plan).toBeNull();
    expect(columns.planPacked?.byteLength).toBeGreaterThan(0);
    expect(await loadStoredPlan(db.prisma, doc.id)).toEqual(plan);
    const [receipt] = await receiptsOf(await db.prisma.outdoc.findMany({ where: { documentId: doc.id }, omit: WITH_OUTDOC_BODY }));
    expect(receipt).toMatchObject({
      kind: 'goods_supply',
      indocId: 'S-1',
      lines: [{ goodId: 'good-1', useful: 2, defective: 1 }],
    });
  });

  it('reads rows written before the packed columns (plain JSON)', async () => {
    const plan = bigPlan(3);
    const doc = await db.prisma.syncDocument.create({
      data: { accountId: ACCOUNT, entity: 'move', msId: randomUUID(), indocId: 'M-1', plan: plan as never },
    });
    await db.prisma.outdoc.create({
      data: {
        accountId: ACCOUNT,
        outdocId: 1002n,
        indocId: 'M-1',
        documentId: doc.id,
        kind: 'goods_supply',
        raw: outdocRaw('M-1'),
      },
    });
    const columns = await db.prisma.syncDocument.findUniqueOrThrow({
      where: { id: doc.id },
      select: { planPacked: true },
    });
    expect(columns.planPacked).toBeNull();
    expect(await loadStoredPlan(db.prisma, doc.id)).toEqual(plan);
    const [receipt] = await receiptsOf(await db.prisma.outdoc.findMany({ where: { documentId: doc.id }, omit: WITH_OUTDOC_BODY }));
    expect(receipt).toMatchObject({ indocId: 'M-1', lines: [{ goodId: 'good-1', useful: 2, defective: 1 }] });
  });

  it('has no plan for a document that was never sent', async () => {
    const doc = await db.prisma.syncDocument.create({
      data: { accountId: ACCOUNT, entity: 'supply', msId: randomUUID() },
    });
    expect(await loadStoredPlan(db.prisma, doc.id)).toBeNull();
    expect(await loadStoredPlan(db.prisma, randomUUID())).toBeNull();
  });
});
