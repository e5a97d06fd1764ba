import { describe, expect, it, vi } from 'vitest';
import {
  EARLY_BUFFER_KEY,
  EARLY_BUFFER_SCRIPT,
  HeightReporter,
  HostBridge,
  HostRequestError,
  asHostMessage,
  drainEarlyBuffer,
  installEarlyBuffer,
  isOriginAllowed,
  parseAllowedOrigins,
  type MessageEventLike,
  type TimersLike,
  type WindowLike,
} from '@/lib/ui/moysklad-bridge';

const HOST = 'https://online.moysklad.ru';
const ALLOWED = ['https://online.moysklad.ru', 'https://*.moysklad.ru'];

/** A window with listeners we can fire, and a parent that records what was posted to it. */
function fakeWindow() {
  const listeners = new Set<(e: MessageEventLike) => void>();
  const win: WindowLike & { fire(e: MessageEventLike): void; count(): number } = {
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    fire: (e) => [...listeners].forEach((l) => l(e)),
    count: () => listeners.size,
  };
  return win;
}
function fakeParent() {
  const posted: Array<{ message: Record<string, unknown>; targetOrigin: string }> = [];
  return {
    posted,
    postMessage: (message: unknown, targetOrigin: string) => posted.push({ message: message as Record<string, unknown>, targetOrigin }),
  };
}
/** Manual timers: `advance` fires what is due. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: TimersLike & { advance(ms: number): void; pending(): number } = {
    setTimeout: (fn, ms) => {
      const id = ++seq;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void due.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due])
        if (t.at <= now) {
          due.delete(id);
          t.fn();
        }
    },
    pending: () => due.size,
  };
  return timers;
}

function setup(extra: Partial<ConstructorParameters<typeof HostBridge>[0]> = {}) {
  const self = fakeWindow();
  const parent = fakeParent();
  const timers = fakeTimers();
  const rejected: string[] = [];
  const bridge = new HostBridge({
    self,
    parent,
    allowedOrigins: ALLOWED,
    timers,
    timeoutMs: 1000,
    dialogTimeoutMs: 5000,
    onRejected: (_e, reason) => rejected.push(reason),
    ...extra,
  }).start();
  const fromHost = (data: unknown, origin = HOST, source: unknown = parent) => self.fire({ data, origin, source });
  return { self, parent, timers, bridge, rejected, fromHost };
}

const open = (messageId: number, objectId: string | null = 'doc-1') => ({
  name: 'Open',
  messageId,
  extensionPoint: 'document.supply.edit',
  objectId,
  displayMode: 'expanded',
});

describe('allowed origins', () => {
  it('parses FRAME_ANCESTORS, dropping keywords and junk', () => {
    expect(parseAllowedOrigins("'self' https://online.moysklad.ru  https://*.moysklad.ru,http://127.0.0.1:* data: nonsense")).toEqual([
      'https://online.moysklad.ru',
      'https://*.moysklad.ru',
      'http://127.0.0.1:*',
    ]);
  });

  it('matches exact origins, sub-domain wildcards and port wildcards', () => {
    const allowed = parseAllowedOrigins('https://online.moysklad.ru https://*.moysklad.ru http://127.0.0.1:*');
    expect(isOriginAllowed('https://online.moysklad.ru', allowed)).toBe(true);
    expect(isOriginAllowed('https://online-2.moysklad.ru', allowed)).toBe(true);
    expect(isOriginAllowed('https://a.b.moysklad.ru', allowed)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:41234', allowed)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1', allowed)).toBe(true);
  });

  it('refuses look-alikes, other schemes and ports, and non-origins', () => {
    const allowed = parseAllowedOrigins('https://online.moysklad.ru https://*.moysklad.ru http://127.0.0.1:3001');
    for (const origin of [
      'https://moysklad.ru', // the wildcard covers sub-domains only, as in CSP
      'https://evilmoysklad.ru',
      'https://moysklad.ru.evil.com',
      'http://online.moysklad.ru',
      'https://online.moysklad.ru:8443',
      'http://127.0.0.1:3002',
      'http://localhost:3001',
      'null',
      '',
      'https://online.moysklad.ru/path',
    ]) {
      expect(isOriginAllowed(origin, allowed), origin).toBe(false);
    }
  });

  it('exact host with an explicit default port equals the bare host', () => {
    expect(isOriginAllowed('https://online.moysklad.ru', ['https://online.moysklad.ru:443'])).toBe(true);
  });
});

describe('host messages', () => {
  it('recognises only the protocol messages', () => {
    expect(asHostMessage(open(1))?.name).toBe('Open');
    expect(asHostMessage({ name: 'Open' })).toBeNull();
    expect(asHostMessage({ name: 'Open', messageId: 1, objectId: 5 })).toBeNull();
    expect(asHostMessage({ name: 'NavigateResponse' })).toBeNull();
    expect(asHostMessage({ name: 'Whatever', messageId: 1 })).toBeNull();
    expect(asHostMessage('Open')).toBeNull();
    expect(asHostMessage({ height: 100 })).toBeNull();
  });
});

describe('HostBridge', () => {
  it('delivers Open and remembers the latest one', () => {
    const { bridge, fromHost } = setup();
    const seen: string[] = [];
    bridge.onOpen((m) => seen.push(`${m.messageId}:${m.objectId}`));
    fromHost(open(41, 'a'));
    fromHost(open(42, 'b'));
    expect(seen).toEqual(['41:a', '42:b']);
    expect(bridge.lastOpen?.objectId).toBe('b');
    expect(bridge.origin).toBe(HOST);
  });

  it('answers OpenFeedback with correlationId = the Open messageId, to the host origin', () => {
    const { bridge, parent, fromHost } = setup();
    fromHost(open(41), 'https://online-3.moysklad.ru');
    bridge.openFeedback(41);
    expect(parent.posted).toEqual([{ message: { name: 'OpenFeedback', correlationId: 41 }, targetOrigin: 'https://online-3.moysklad.ru' }]);
  });

  it('ignores messages from other origins and from windows other than the parent', () => {
    const { bridge, fromHost, rejected } = setup();
    const onOpen = vi.fn();
    bridge.onOpen(onOpen);
    fromHost(open(1), 'https://evil.example');
    fromHost(open(2), HOST, { other: 'window' });
    expect(onOpen).not.toHaveBeenCalled();
    expect(bridge.lastOpen).toBeNull();
    expect(rejected).toHaveLength(2);
    // Unrelated chatter (extensions, dev tools) is dropped silently, not reported.
    fromHost({ source: 'react-devtools' }, 'https://evil.example');
    expect(rejected).toHaveLength(2);
  });

  it('replays messages buffered before it started, with the same checks', () => {
    const self = fakeWindow();
    const parent = fakeParent();
    const bridge = new HostBridge({
      self,
      parent,
      allowedOrigins: ALLOWED,
      buffered: [
        { data: open(7, 'early'), origin: HOST, source: parent },
        { data: open(8, 'forged'), origin: 'https://evil.example', source: parent },
      ],
    });
    const seen: string[] = [];
    bridge.onOpen((m) => seen.push(m.objectId ?? ''));
    bridge.start();
    expect(seen).toEqual(['early']);
    expect(bridge.lastOpen?.messageId).toBe(7);
  });

  it('delivers Save', () => {
    const { bridge, fromHost } = setup();
    const onSave = vi.fn();
    bridge.onSave(onSave);
    fromHost({ name: 'Save', messageId: 3, extensionPoint: 'document.supply.edit', objectId: 'doc-1' });
    expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ name: 'Save', objectId: 'doc-1' }));
  });

  it('navigates: NavigateRequest with an incrementing messageId, resolved by the matching NavigateResponse', async () => {
    const { bridge, parent, fromHost } = setup();
    fromHost(open(1));
    const first = bridge.navigate('#supply/edit?id=doc-1');
    const second = bridge.navigate('#move/edit?id=doc-2', 'blank');
    const [a, b] = parent.posted.map((p) => p.message);
    expect(a).toEqual({ name: 'NavigateRequest', messageId: 1, path: '#supply/edit?id=doc-1', target: 'self' });
    expect(b).toMatchObject({ name: 'NavigateRequest', messageId: 2, target: 'blank' });
    let firstDone = false;
    void first.then(() => (firstDone = true));
    fromHost({ name: 'NavigateResponse', correlationId: 2 });
    await expect(second).resolves.toBeUndefined();
    await Promise.resolve();
    expect(firstDone).toBe(false);
    fromHost({ name: 'NavigateResponse', correlationId: 1 });
    await expect(first).resolves.toBeUndefined();
  });

  it('a response from a foreign origin does not resolve a request', async () => {
    const { bridge, fromHost, timers } = setup();
    fromHost(open(1));
    const nav = bridge.navigate('#supply/edit?id=x');
    fromHost({ name: 'NavigateResponse', correlationId: 1 }, 'https://evil.example');
    timers.advance(1000);
    await expect(nav).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('times out and forgets the request', async () => {
    const { bridge, fromHost, timers } = setup();
    fromHost(open(1));
    const nav = bridge.navigate('#supply/edit?id=x');
    timers.advance(999);
    expect(timers.pending()).toBe(1);
    timers.advance(1);
    await expect(nav).rejects.toBeInstanceOf(HostRequestError);
    // A late answer is harmless.
    fromHost({ name: 'NavigateResponse', correlationId: 1 });
  });

  it('shows a dialog and returns the pressed button', async () => {
    const { bridge, parent, fromHost } = setup();
    fromHost(open(1));
    const answer = bridge.showDialog('Отменить задание?', [
      { name: 'yes', caption: 'Да' },
      { name: 'no', caption: 'Нет' },
    ]);
    expect(parent.posted[0].message).toEqual({
      name: 'ShowDialogRequest',
      messageId: 1,
      dialogText: 'Отменить задание?',
      buttons: [
        { name: 'yes', caption: 'Да' },
        { name: 'no', caption: 'Нет' },
      ],
    });
    fromHost({ name: 'ShowDialogResponse', correlationId: 1, dialogResolution: 'normal', buttonName: 'yes' });
    await expect(answer).resolves.toEqual({ buttonName: 'yes', resolution: 'normal' });
  });

  it('a dialog closed by the user resolves without a button', async () => {
    const { bridge, fromHost } = setup();
    fromHost(open(1));
    const answer = bridge.showDialog('?', [{ name: 'yes', caption: 'Да' }]);
    fromHost({ name: 'ShowDialogResponse', correlationId: 1, dialogResolution: 'closedByUser' });
    await expect(answer).resolves.toEqual({ buttonName: undefined, resolution: 'closedByUser' });
  });

  it('a dialog waits longer than a navigation', async () => {
    const { bridge, fromHost, timers } = setup();
    fromHost(open(1));
    const answer = bridge.showDialog('?', [{ name: 'yes', caption: 'Да' }]);
    timers.advance(4999);
    fromHost({ name: 'ShowDialogResponse', correlationId: 1, dialogResolution: 'normal', buttonName: 'yes' });
    await expect(answer).resolves.toMatchObject({ buttonName: 'yes' });
  });

  it('clips dialog text and captions to MoySklad limits', () => {
    const { bridge, parent, fromHost } = setup();
    fromHost(open(1));
    void bridge.showDialog('x'.repeat(5000), [{ name: 'yes', caption: 'y'.repeat(150) }]).catch(() => undefined);
    const m = parent.posted[0].message as { dialogText: string; buttons: Array<{ caption: string }> };
    expect(m.dialogText).toHaveLength(4096);
    expect(m.buttons[0].caption).toHaveLength(100);
  });

  it('rejects on InvalidMessageError for that request', async () => {
    const { bridge, fromHost } = setup();
    fromHost(open(1));
    const answer = bridge.showDialog('?', [{ name: 'yes', caption: 'Да' }]);
    fromHost({
      name: 'InvalidMessageError',
      correlationId: 1,
      errors: [{ code: 1004, error: 'protocol not declared' }],
    });
    await expect(answer).rejects.toMatchObject({ kind: 'invalid', errors: [{ code: 1004 }] });
  });

  it('does not post requests before it knows a safe host origin', async () => {
    // Only wildcards allowed and no referrer: nothing to address the request to.
    const { bridge, parent } = setup({ allowedOrigins: ['https://*.moysklad.ru', 'http://127.0.0.1:*'] });
    await expect(bridge.navigate('#supply/edit?id=x')).rejects.toMatchObject({ kind: 'no-host' });
    expect(parent.posted).toHaveLength(0);
  });

  it('uses an allowed referrer or the only exact allowed origin before the host spoke', () => {
    const a = setup({ referrer: 'https://online-5.moysklad.ru/app/' });
    void a.bridge.navigate('#supply/edit?id=x').catch(() => undefined);
    expect(a.parent.posted[0].targetOrigin).toBe('https://online-5.moysklad.ru');

    const b = setup({ referrer: 'https://evil.example/', allowedOrigins: ['http://127.0.0.1:3001'] });
    void b.bridge.navigate('#supply/edit?id=x').catch(() => undefined);
    expect(b.parent.posted[0].targetOrigin).toBe('http://127.0.0.1:3001');
  });

  it('stop() removes the listener and fails pending requests', async () => {
    const { bridge, self, fromHost } = setup();
    fromHost(open(1));
    const nav = bridge.navigate('#supply/edit?id=x');
    bridge.stop();
    expect(self.count()).toBe(0);
    await expect(nav).rejects.toMatchObject({ kind: 'stopped' });
  });
});

describe('early buffer', () => {
  it('installEarlyBuffer records messages until drained; draining stops it', () => {
    const win = fakeWindow();
    installEarlyBuffer(win);
    installEarlyBuffer(win); // idempotent
    expect(win.count()).toBe(1);
    win.fire({ data: open(5), origin: HOST, source: 'p' });
    const caught = drainEarlyBuffer(win);
    expect(caught).toEqual([{ data: open(5), origin: HOST, source: 'p' }]);
    expect(win.count()).toBe(0);
    win.fire({ data: open(6), origin: HOST });
    expect(drainEarlyBuffer(win)).toEqual([]);
  });

  it('the inline script does the same on a window-like object', () => {
    const win = fakeWindow() as ReturnType<typeof fakeWindow> & Record<string, unknown>;
    new Function('window', EARLY_BUFFER_SCRIPT)(win);
    expect(Array.isArray(win[EARLY_BUFFER_KEY])).toBe(true);
    win.fire({ data: open(9), origin: HOST, source: 'p' });
    expect(drainEarlyBuffer(win)).toHaveLength(1);
    expect(win.count()).toBe(0);
  });
});

describe('HeightReporter', () => {
  it('posts {height} only when it changes, rounded up', () => {
    const parent = fakeParent();
    const r = new HeightReporter(parent, ['http://127.0.0.1:3001']);
    expect(r.report(812.2)).toBe(true);
    expect(r.report(812.9)).toBe(false);
    expect(r.report(0)).toBe(false);
    expect(r.report(900)).toBe(true);
    expect(parent.posted).toEqual([
      { message: { height: 813 }, targetOrigin: 'http://127.0.0.1:3001' },
      { message: { height: 900 }, targetOrigin: 'http://127.0.0.1:3001' },
    ]);
  });

  it("targets the referrer's origin when allowed, else '*' (the height is not sensitive)", () => {
    const a = fakeParent();
    new HeightReporter(a, ALLOWED, 'https://online.moysklad.ru/app/').report(100);
    expect(a.posted[0].targetOrigin).toBe('https://online.moysklad.ru');
    const b = fakeParent();
    new HeightReporter(b, ['https://*.moysklad.ru'], 'https://evil.example/').report(100);
    expect(b.posted[0].targetOrigin).toBe('*');
    const c = fakeParent();
    new HeightReporter(c, ALLOWED).report(100);
    expect(c.posted[0].targetOrigin).toBe('https://online.moysklad.ru');
  });
});
