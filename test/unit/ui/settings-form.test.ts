import { describe, expect, it } from 'vitest';
import type { SettingsView } from '@/lib/api/contract';
import { ru } from '@/lib/ui/i18n/ru';
import { errorOf, formFromView, inputFromForm, missingFromForm, preselectStatuses, sameForm, validateForm } from '@/lib/ui/settings/form';
import { en } from '@/lib/ui/i18n/en';

const t = ru.settings.errors;
const mapping = { transfer: 's1', sent: 's2', error: 's3', posted: 's4' };
const complete: SettingsView = {
  betaproBaseUrl: 'https://api.betapro.ru:8080/fbox',
  betaproPartnerId: 'P-1',
  storeIds: ['store-1'],
  enabledEntities: ['supply', 'move'],
  statuses: { supply: mapping, move: mapping },
  productKey: 'article',
  partialPolicy: 'final',
  defectivePolicy: 'received',
  postingMode: 'auto',
  pollIntervalSec: 60,
  hasPassword: true,
  complete: true,
  missing: [],
};

describe('settings form', () => {
  it('a complete stored configuration validates and keeps the stored password (no password in the body)', () => {
    const form = formFromView(complete);
    expect(validateForm(form, true, t)).toEqual({});
    const body = inputFromForm(form);
    expect(body).not.toHaveProperty('betaproPassword');
    expect(body.pollIntervalSec).toBe(60);
  });

  it('a new password is sent', () => {
    const form = { ...formFromView(complete), betaproPassword: 'new' };
    expect(inputFromForm(form).betaproPassword).toBe('new');
  });

  it('an empty account lists what is missing next to each field', () => {
    const form = formFromView({ hasPassword: false, complete: false, missing: [] });
    const errors = validateForm(form, false, t);
    expect(errorOf(errors, 'betaproBaseUrl')).toBe(t.required);
    expect(errorOf(errors, 'betaproPartnerId')).toBe(t.required);
    expect(errorOf(errors, 'betaproPassword')).toBe(t.required);
    expect(errorOf(errors, 'storeIds')).toBe(t.storeIds);
    expect(errorOf(errors, 'statuses.supply.transfer')).toBe(t.status);
    expect(errorOf(errors, 'statuses.move.posted')).toBe(t.status);
    expect(errorOf(errors, 'statuses')).toBe(t.status);
  });

  it('checks the URL, the poll interval and the document types', () => {
    const form = { ...formFromView(complete), betaproBaseUrl: 'ftp://x', pollIntervalSec: '5', enabledEntities: [] };
    const errors = validateForm(form, true, t);
    expect(errorOf(errors, 'betaproBaseUrl')).toBe(t.url);
    expect(errorOf(errors, 'pollIntervalSec')).toBe(t.poll);
    expect(errorOf(errors, 'enabledEntities')).toBe(t.enabledEntities);
    expect(validateForm({ ...formFromView(complete), pollIntervalSec: 'abc' }, true, t).pollIntervalSec).toEqual([t.poll]);
  });

  it('statuses are required only for enabled document types', () => {
    const form = {
      ...formFromView(complete),
      enabledEntities: ['supply' as const],
      statuses: {
        supply: mapping,
        move: { transfer: null, sent: null, error: null, posted: null },
        purchasereturn: { transfer: null, sent: null, error: null, posted: null },
      },
    };
    expect(validateForm(form, true, t)).toEqual({});
  });

  it('after creating statuses, empty roles get the statuses of those names', () => {
    const next = preselectStatuses({ transfer: 'mine', sent: null, error: null, posted: null }, [
      { id: 'a', name: 'Передать' },
      { id: 'b', name: 'Передан' },
      { id: 'c', name: 'Ошибка передачи' },
      { id: 'd', name: 'Проведён' },
    ]);
    expect(next).toEqual({ transfer: 'mine', sent: 'b', error: 'c', posted: 'd' });
  });

  it('tracks unsaved changes', () => {
    const a = formFromView(complete);
    expect(sameForm(a, formFromView(complete))).toBe(true);
    expect(sameForm(a, { ...a, productKey: 'code' })).toBe(false);
  });
});

describe('the «что заполнить» checklist', () => {
  it('follows the form as it is edited, in the page language', () => {
    const empty = formFromView({ hasPassword: false, complete: false, missing: [], enabledEntities: ['supply'] });
    const before = missingFromForm(empty, false, ru.settings);
    expect(before).toContain('пароль БетаПРО');
    expect(before).toContain('статус «Передать (команда)» для приёмок');
    expect(missingFromForm(empty, false, en.settings)).toContain('BetaPRO password');
    const typed = { ...empty, betaproPassword: 'x', betaproPartnerId: 'p' };
    const after = missingFromForm(typed, false, ru.settings);
    expect(after).not.toContain('пароль БетаПРО');
    expect(after).not.toContain('код партнёра БетаПРО');
    expect(after.length).toBe(before.length - 2);
    // A stored password counts as filled.
    expect(missingFromForm(empty, true, ru.settings)).not.toContain('пароль БетаПРО');
  });
});
