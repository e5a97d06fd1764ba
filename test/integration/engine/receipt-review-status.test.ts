/**
 * The optional «Расхождения» status (docs/product.md §5): «Создать статусы» creates it with the others and
 * pre-selects it; while a receipt with discrepancies waits for a decision MoySklad shows it; the decision's
 * posting replaces it with «Проведён». A poll over a held receipt sends no second PUT.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { receiptSteps } from './receipt-support';
import type { SettingsResponse } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
let review: ConfiguredAccount;
let plain: ConfiguredAccount;
const steps = receiptSteps(() => sandbox);

sandboxSuite(
  [
    ['review-status', { postingMode: 'review' }],
    ['review-status-none', { postingMode: 'review' }],
  ],
  (s, [a0, a1]) => {
    sandbox = s;
    review = a0;
    plain = a1;
  },
);

const putsOf = (acc: ConfiguredAccount) =>
  Object.entries(sandbox.moysklad.stats().requests[acc.accountId] ?? {})
    .filter(([route]) => route.startsWith('PUT '))
    .reduce((n, [, count]) => n + Number(count), 0);

describe('«Расхождения» while a receipt waits for a decision', () => {
  it('created with the other statuses, set on review, left for «Проведён» by the decision', async () => {
    const created = await api(sandbox.app.url, '/api/settings/create-statuses', {
      token: review.adminSession,
      body: { entity: 'supply' },
    });
    expect(created.status).toBe(200);
    expect((created.body as { created: string[] }).created).toContain('review');
    const settings = (await api(sandbox.app.url, '/api/settings', { token: review.adminSession })).body as SettingsResponse;
    const reviewState = settings.states.supply.find((s) => s.name === 'Расхождения');
    expect(reviewState).toBeDefined();
    expect(settings.settings.statuses?.supply.review).toBe(reviewState!.id);

    const { id, indocId } = await steps.sendSupply(review, [['MUG-300', 5]]);
    await steps.control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'MUG-300', useful_qnt: 3, defective_qnt: 0 }],
    });
    await steps.checkUntil(review, id, 'held for review', (v) => v.state === 'review');
    await waitFor('«Расхождения» shown', async () => steps.msDoc(review, id).state?.name === 'Расхождения');
    expect(steps.msDoc(review, id).applicable).toBe(false);

    sandbox.moysklad.resetStats();
    await steps.check(review, id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(putsOf(review)).toBe(0);

    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: review.adminSession,
      body: { action: 'post' },
    });
    await waitFor(
      'posted after the decision',
      async () => (await documentView(sandbox, review.adminSession, 'supply', id)).state === 'posted',
    );
    expect(steps.msDoc(review, id).state?.name).toBe('Проведён');
    expect(steps.msDoc(review, id).applicable).toBe(true);
  }, 120_000);

  it('an account without «Расхождения» keeps «Передан» while the receipt waits', async () => {
    const { id, indocId } = await steps.sendSupply(plain, [['MUG-300', 5]]);
    await steps.control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'MUG-300', useful_qnt: 3, defective_qnt: 0 }],
    });
    await steps.checkUntil(plain, id, 'held for review', (v) => v.state === 'review');
    expect(steps.msDoc(plain, id).state?.name).toBe('Передан');
  }, 120_000);
});
