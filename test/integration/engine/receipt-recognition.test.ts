/**
 * Unknown goods (issue 14 item 5, docs/product.md §4): the warehouse receives goods it cannot identify under
 * temporary codes (`GET /goods/recognition`) and cannot complete the receipt. The document waits with a
 * message listing them; an admin maps each to a MoySklad product in the widget (the app registers the
 * product in BetaPRO first when needed, then `POST /goods/recognition`), and the receipt then completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  documentView,
  installAndConfigure,
  sessionFor,
  startSandbox,
  type ConfiguredAccount,
  type Sandbox,
} from '../../support/sandbox';
import type { DocumentView } from '@/lib/api/contract';
import { createMigratedPostgresDatabase, TEST_DATABASE_URL } from '../../support/db';
import { receiptSteps } from './receipt-support';

let sandbox: Sandbox;
let account: ConfiguredAccount;
let database: Awaited<ReturnType<typeof createMigratedPostgresDatabase>> | undefined;
const steps = receiptSteps(() => sandbox);

beforeAll(async () => {
  // On PostgreSQL when TEST_DATABASE_URL is set (the stored lists live in a JSONB column), else PGlite.
  database = TEST_DATABASE_URL ? await createMigratedPostgresDatabase('bridge_recognition') : undefined;
  sandbox = await startSandbox({ databaseUrl: database?.url });
  account = await installAndConfigure(sandbox, 'recognition-shop');
});
afterAll(async () => {
  await sandbox?.stop();
  await database?.drop();
});

const UNKNOWN_MUG = '2000000012345';
/** NB-A5's own EAN: unknown to the warehouse until the app registers NB-A5 with its barcodes. */
const NOTEBOOK_EAN = '4600000000039';
const HEADLINE = 'БетаПРО принял товары без карточки';

interface SimGood {
  good_id: string;
}
interface SimRecognition {
  barcode: string;
  good_id?: string;
}
async function simPartner() {
  const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
    partners: Array<{ goods: SimGood[]; recognition: SimRecognition[] }>;
  };
  return state.partners[0];
}

function identify(session: string, id: string, barcode: string, productKey: string) {
  return api<DocumentView | { error: { code: string; message: string } }>(
    sandbox.app.url,
    `/api/widget/documents/supply/${id}/recognition`,
    {
      token: session,
      body: { barcode, productKey },
    },
  );
}

describe('unknown goods wait for an admin to identify them', () => {
  it('the document waits listing them; each is mapped in the widget; the receipt then posts', async () => {
    const { id, indocId } = await steps.sendSupply(account, [['TS-WHITE', 5]]);
    const received = await steps.control<{ waiting_for_recognition?: string[] }>(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'TS-WHITE', useful_qnt: 5, defective_qnt: 0 }],
      unknown: [
        { barcode: UNKNOWN_MUG, descrip: 'Кружка без этикетки', useful_qnt: 3, defective_qnt: 0 },
        { barcode: NOTEBOOK_EAN, descrip: 'Блокнот', useful_qnt: 1, defective_qnt: 1 },
      ],
    });
    expect(received.waiting_for_recognition).toEqual([UNKNOWN_MUG, NOTEBOOK_EAN]);

    const waiting = await steps.checkUntil(account, id, 'unknown goods listed', (v) => v.unrecognized.length === 2);
    expect(waiting.state).toBe('receiving');
    expect(waiting.unrecognized).toEqual([
      expect.objectContaining({ barcode: UNKNOWN_MUG, description: 'Кружка без этикетки', useful: 3, defective: 0 }),
      expect.objectContaining({ barcode: NOTEBOOK_EAN, description: 'Блокнот', useful: 1, defective: 1 }),
    ]);
    expect(waiting.events.filter((e) => e.kind === 'unrecognized_goods')).toHaveLength(1);
    let doc = steps.msDoc(account, id);
    expect(doc.applicable).not.toBe(true);
    expect(doc.state?.name).toBe('Передан');
    expect(doc.description).toContain(HEADLINE);
    expect(doc.description).toContain(UNKNOWN_MUG);
    expect(doc.description).toContain('Кружка без этикетки');

    // Another poll that finds the same list changes nothing: no second event, no second comment line.
    await steps.check(account, id);
    await new Promise((r) => setTimeout(r, 1500));
    const again = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(again.events.filter((e) => e.kind === 'unrecognized_goods')).toHaveLength(1);
    expect(steps.msDoc(account, id).description!.split(HEADLINE).length - 1).toBe(1);

    // Only an admin maps goods; an unknown product key is refused with a clear message.
    const clerk = await sessionFor(sandbox, account.accountId, 'clerk');
    expect((await identify(clerk, id, UNKNOWN_MUG, 'MUG-300')).status).toBe(403);
    const missing = await identify(account.adminSession, id, UNKNOWN_MUG, 'NO-SUCH-1');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain('В МойСклад нет товара с артикулом «NO-SUCH-1»');
    expect((await simPartner()).goods.map((g) => g.good_id)).not.toContain('MUG-300');

    // MUG-300 is not in BetaPRO's catalogue yet: the app registers it, then identifies the barcode.
    const first = await identify(account.adminSession, id, UNKNOWN_MUG, 'MUG-300');
    expect(first.status).toBe(200);
    expect((first.body as DocumentView).unrecognized.map((g) => g.barcode)).toEqual([NOTEBOOK_EAN]);
    let partner = await simPartner();
    expect(partner.goods.map((g) => g.good_id)).toContain('MUG-300');
    expect(partner.recognition.find((r) => r.barcode === UNKNOWN_MUG)?.good_id).toBe('MUG-300');
    // Mapping it again is refused: it no longer waits.
    expect((await identify(account.adminSession, id, UNKNOWN_MUG, 'MUG-300')).status).toBe(409);

    const second = await identify(account.adminSession, id, NOTEBOOK_EAN, 'NB-A5');
    expect(second.status).toBe(200);
    partner = await simPartner();
    expect(partner.recognition.every((r) => r.good_id)).toBe(true);

    const posted = await steps.checkUntil(account, id, 'receipt posted', (v) => v.state === 'posted');
    expect(posted.unrecognized).toEqual([]);
    expect(steps.quantities(account, id)).toEqual({ 'TS-WHITE': 5, 'MUG-300': 3, 'NB-A5': 2 });
    doc = steps.msDoc(account, id);
    expect(doc.applicable).toBe(true);
    expect(doc.state?.name).toBe('Проведён');
    expect(posted.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['good_identified', 'posted']));
  });
});
