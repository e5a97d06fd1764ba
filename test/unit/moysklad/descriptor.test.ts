/**
 * The descriptor against the documented structure (api-vendor-1.0-doc, _5.3_developer_guide_descriptor.md):
 * namespace, required blocks, element names, extension points and the protocols each point supports.
 */
import { describe, expect, it } from 'vitest';
import {
  BULK_SEND_BUTTON,
  BULK_SEND_POINTS,
  normalizeDescriptorBase,
  renderDescriptor,
  SCENARIO_ACTION_TRANSFER,
} from '@/lib/moysklad/descriptor';
import { child, parseXml, path, type XmlElement } from './xml';

const NS = 'https://apps-api.moysklad.ru/xml/ns/appstore/app/v2';
const BLOCKS = [
  'vendorApi',
  'access',
  'loyaltyApi',
  'fiscalApi',
  'qrPayApi',
  'iframes',
  'iframe',
  'widgets',
  'popups',
  'buttons',
  'scenario',
];
// Documented protocols per point (VDOC _5.3 table, supply/move edit pages).
const EDIT_PROTOCOLS = ['open-feedback', 'save-handler', 'dirty-state', 'change-handler', 'update-provider'];
const SERVICES = ['good-folder-selector', 'standard-dialogs', 'navigation-service'];
const BASE = 'https://bridge.example.com/ms';

const names = (e: XmlElement | undefined) => (e?.children ?? []).map((c) => c.name);

describe('solution descriptor', () => {
  const xml = renderDescriptor(`${BASE}/`);
  const root = parseXml(xml);

  it('is schema v2 with the documented namespace and schema location', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(root.name).toBe('ServerApplication');
    expect(root.attributes.xmlns).toBe(NS);
    expect(root.attributes['xmlns:xsi']).toBe('http://www.w3.org/2001/XMLSchema-instance');
    expect(root.attributes['xsi:schemaLocation'].split(/\s+/)).toEqual([NS, `${NS}/application-v2.xsd`]);
    expect(xml).not.toContain('{{');
  });

  it('has only documented top-level blocks, each at most once, with vendorApi and access', () => {
    for (const name of names(root)) expect(BLOCKS).toContain(name);
    expect(new Set(names(root)).size).toBe(root.children.length);
    expect(names(root)).toEqual(expect.arrayContaining(['vendorApi', 'access']));
  });

  it('vendorApi: endpointBase is the base URL; updatePermissions declared', () => {
    expect(path(root, 'vendorApi', 'endpointBase')?.text).toBe(BASE);
    expect(names(path(root, 'vendorApi', 'additionalEvents'))).toEqual(['updatePermissions']);
  });

  it('access: JSON API resource and a valid scope', () => {
    const access = child(root, 'access')!;
    expect(child(access, 'resource')?.text).toBe('https://api.moysklad.ru/api/remap/1.2');
    const scope = child(access, 'scope')?.text;
    expect(['admin', 'custom']).toContain(scope);
    if (scope === 'custom') expect(child(access, 'permissions')).toBeDefined();
    else expect(child(access, 'permissions')).toBeUndefined();
  });

  it('settings page is the main iframe', () => {
    const iframes = child(root, 'iframes')!;
    expect(iframes.children).toHaveLength(1);
    expect(iframes.children[0]).toMatchObject({
      name: 'iframe',
      attributes: { type: 'main', sourceUrl: `${BASE}/settings` },
    });
  });

  it('widgets for supply, move and purchase return edit pages, fixed height, documented protocols and services only', () => {
    const widgets = child(root, 'widgets')!;
    expect(names(widgets)).toEqual(['document.supply.edit', 'document.move.edit', 'document.purchasereturn.edit']);
    for (const widget of widgets.children) {
      const entity = widget.name.split('.')[1];
      expect(names(widget)[0]).toBe('sourceUrl');
      expect(child(widget, 'sourceUrl')?.text).toBe(`${BASE}/widget/${entity}`);
      expect(path(widget, 'height', 'fixed')?.text).toMatch(/^\d+px$/);
      for (const p of names(child(widget, 'supports'))) expect(EDIT_PROTOCOLS).toContain(p);
      expect(names(child(widget, 'supports'))).toEqual(['open-feedback', 'save-handler']);
      for (const s of names(child(widget, 'uses'))) expect(SERVICES).toContain(s);
      for (const name of names(widget)) expect(['sourceUrl', 'height', 'supports', 'uses']).toContain(name);
    }
  });

  it('scenario action with name and title attributes', () => {
    const actions = child(root, 'scenario')!.children;
    expect(actions).toEqual([
      {
        name: 'action',
        attributes: { name: SCENARIO_ACTION_TRANSFER, title: 'Передать в БетаПРО' },
        children: [],
        text: '',
      },
    ]);
  });

  it('one list button for bulk send on the supply and move lists (no purchase return list point exists)', () => {
    const buttons = child(root, 'buttons')!.children;
    expect(buttons.map((b) => b.name)).toEqual(['button']);
    const [button] = buttons;
    expect(button.attributes.name).toBe(BULK_SEND_BUTTON);
    expect(button.attributes.title).toBe('Передать на склад БетаПРО');
    expect(button.attributes.useSelected).toBeUndefined();
    expect(names(child(button, 'locations'))).toEqual(Object.keys(BULK_SEND_POINTS));
    expect(Object.keys(BULK_SEND_POINTS)).toEqual(['document.supply.list', 'document.move.list']);
  });

  it('every URL in it is under the base URL', () => {
    const urls = [...xml.matchAll(/https?:\/\/[^\s"<]+/g)]
      .map((m) => m[0])
      .filter(
        (u) =>
          !u.startsWith('https://apps-api.moysklad.ru/') &&
          !u.startsWith('https://api.moysklad.ru/') &&
          !u.startsWith('http://www.w3.org/'),
      );
    expect(urls.length).toBeGreaterThan(3);
    for (const u of urls) expect(u.startsWith(BASE)).toBe(true);
  });

  it('requires https except for localhost', () => {
    expect(normalizeDescriptorBase('http://localhost:3000/')).toBe('http://localhost:3000');
    expect(normalizeDescriptorBase('http://127.0.0.1:3000/ms')).toBe('http://127.0.0.1:3000/ms');
    expect(() => normalizeDescriptorBase('http://bridge.example.com')).toThrow(/https/);
    expect(() => normalizeDescriptorBase('ftp://bridge.example.com')).toThrow(/https/);
    expect(() => normalizeDescriptorBase('https://bridge.example.com/?a=1')).toThrow(/query/);
    expect(() => normalizeDescriptorBase('not a url')).toThrow();
  });

  it('escapes what it fills in', () => {
    const rendered = renderDescriptor('https://b.example.com/a&b');
    expect(rendered).toContain('https://b.example.com/a&amp;b/settings');
    expect(parseXml(rendered).attributes.xmlns).toBe(NS);
  });
});

describe('the test XML parser', () => {
  it('refuses malformed documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(parseXml('<a x="1"><b/>t</a>')).toEqual({
      name: 'a',
      attributes: { x: '1' },
      children: [{ name: 'b', attributes: {}, children: [], text: '' }],
      text: 't',
    });
  });
});
