import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  msActivationBodySchema,
  msAssortmentSchema,
  msAuditEventSchema,
  msBundleSchema,
  msDeactivationBodySchema,
  msDocumentSchema,
  msEmployeeContextSchema,
  msEntityMetadataSchema,
  msEventBodySchema,
  msListSchema,
  msMoveSchema,
  msPositionSchema,
  msProductSchema,
  msScenarioBodySchema,
  msServiceSchema,
  msStoreSchema,
  msSupplySchema,
  msVariantSchema,
  msWebhookDeliverySchema,
  msWebhookSchema,
  isExpandedAssortment,
} from '@/lib/moysklad/schemas';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/moysklad');
const load = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));

describe('MoySklad example payloads parse with the schemas', () => {
  it('supply (single, with expanded positions, list)', () => {
    const supply = msSupplySchema.parse(load('supply.json'));
    expect(supply.meta.type).toBe('supply');
    expect(supply.store?.meta.type).toBe('store');
    const expanded = msSupplySchema.parse(load('supply-expand-positions.json'));
    expect(expanded.positions?.rows?.length).toBeGreaterThan(0);
    expect(expanded.positions?.rows?.[0].assortment.meta.type).toBe('product');
    const list = msListSchema(msSupplySchema).parse(load('supply-list.json'));
    expect(list.rows.length).toBeGreaterThan(0);
    expect(msDocumentSchema.parse(load('supply.json')).id).toBe(supply.id);
  });

  it('supply and move positions', () => {
    const supplyPositions = msListSchema(msPositionSchema).parse(load('supply-positions.json'));
    expect(supplyPositions.rows[0].quantity).toBeGreaterThan(0);
    const movePositions = msListSchema(msPositionSchema).parse(load('move-positions.json'));
    expect(movePositions.rows.length).toBeGreaterThan(0);
    for (const row of movePositions.rows) expect(row.assortment.meta.href).toMatch(/^https:\/\//);
  });

  it('move (single) with its source and target stores', () => {
    const move = msMoveSchema.parse(load('move.json'));
    expect(move.sourceStore?.meta.type).toBe('store');
    expect(move.targetStore?.meta.type).toBe('store');
  });

  it('entity metadata with states', () => {
    const meta = msEntityMetadataSchema.parse(load('move-metadata.json'));
    expect(meta.states.length).toBeGreaterThan(0);
    expect(meta.states[0]).toMatchObject({
      name: expect.any(String),
      color: expect.any(Number),
      stateType: expect.any(String),
    });
    expect(msEntityMetadataSchema.parse(load('supply-metadata.json')).states).toEqual([]);
  });

  it('product, variant, bundle, service as themselves and as assortment rows', () => {
    const product = msProductSchema.parse(load('product.json'));
    expect(product.barcodes?.length).toBeGreaterThan(0);
    const variant = msVariantSchema.parse(load('variant.json'));
    expect(variant.characteristics?.length).toBeGreaterThan(0);
    expect(variant.product.meta.type).toBe('product');
    msBundleSchema.parse(load('bundle.json'));
    msServiceSchema.parse(load('service.json'));
    for (const name of ['product.json', 'variant.json', 'bundle.json', 'service.json']) {
      const row = msAssortmentSchema.parse(load(name));
      expect(isExpandedAssortment(row)).toBe(true);
    }
    expect(msListSchema(msProductSchema).parse(load('product-list.json')).rows.length).toBeGreaterThan(0);
    expect(msListSchema(msVariantSchema).parse(load('variant-list.json')).rows.length).toBeGreaterThan(0);
  });

  it('store, webhook, webhook list, audit events', () => {
    expect(msStoreSchema.parse(load('store.json')).name).toBeTruthy();
    expect(msWebhookSchema.parse(load('webhook.json')).url).toMatch(/^https?:/);
    expect(msListSchema(msWebhookSchema).parse(load('webhook-list.json')).rows.length).toBeGreaterThan(0);
    const audit = msListSchema(msAuditEventSchema).parse(load('audit-events.json'));
    expect(audit.rows[0].eventType).toBeTruthy();
  });

  it('webhook delivery body', () => {
    const delivery = msWebhookDeliverySchema.parse(load('webhook-delivery.json'));
    expect(delivery.events[0]).toMatchObject({ action: 'UPDATE', updatedFields: ['name', 'description'] });
    expect(delivery.auditContext?.meta.href).toContain('/audit/');
  });

  it('Vendor API bodies: activation, deactivation, event, scenario, employee context', () => {
    const activation = msActivationBodySchema.parse(load('vendor-activation.json'));
    expect(activation.access?.[0].access_token).toBeTruthy();
    // TariffChanged / Autoprolongation come without access.
    expect(msActivationBodySchema.parse({ appUid: 'a.b', accountName: 'x', cause: 'TariffChanged' }).access).toBeUndefined();
    expect(msDeactivationBodySchema.parse(load('vendor-deactivation.json')).cause).toBe('Uninstall');
    const event = msEventBodySchema.parse(load('vendor-event.json'));
    expect(event.cause).toBe('PermissionsChanged');
    expect(event.access?.[0].access_token).toBeUndefined();
    expect(msScenarioBodySchema.parse(load('vendor-scenario.json')).objectType).toBe('CustomerOrder');
    const employee = msEmployeeContextSchema.parse(load('vendor-context-employee.json'));
    expect(employee.permissions).toHaveProperty('supply');
  });

  it('ignores unknown fields instead of failing', () => {
    const store = msStoreSchema.parse({ ...(load('store.json') as object), somethingNew: { deep: 1 } });
    expect(store).not.toHaveProperty('somethingNew');
  });
});
