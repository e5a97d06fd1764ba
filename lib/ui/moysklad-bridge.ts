/**
 * Client side of MoySklad's widget postMessage protocol (reference: docs/platform.md §3.3).
 *
 * Plain TypeScript, no React: the window, its parent and the timers are injected so the protocol can be
 * unit-tested with fakes. Deliberately not a "use client" module: the server page shells import
 * EARLY_BUFFER_SCRIPT (a string) from here.
 *
 * Host → widget: Open, Save, Change, NavigateResponse, ShowDialogResponse, UpdateResponse,
 * InvalidMessageError. Widget → host: OpenFeedback, NavigateRequest, ShowDialogRequest, `{height}`.
 */

// ---------------------------------------------------------------- message types

export interface OpenMessage {
  name: 'Open';
  messageId: number;
  extensionPoint: string;
  objectId: string | null;
  displayMode?: string;
}
export interface SaveMessage {
  name: 'Save';
  messageId: number;
  extensionPoint: string;
  objectId: string | null;
}
export interface NavigateResponseMessage {
  name: 'NavigateResponse';
  correlationId: number;
}
export interface ShowDialogResponseMessage {
  name: 'ShowDialogResponse';
  correlationId: number;
  dialogResolution: 'normal' | 'closedByUser';
  buttonName?: string;
}
export interface InvalidMessageErrorMessage {
  name: 'InvalidMessageError';
  correlationId: number;
  invalidMessage?: unknown;
  errors?: Array<{ code: number; error: string }>;
}
export type HostMessage =
  | OpenMessage
  | SaveMessage
  | NavigateResponseMessage
  | ShowDialogResponseMessage
  | InvalidMessageErrorMessage
  | { name: 'Change' | 'UpdateResponse'; messageId?: number; correlationId?: number };

export interface DialogButton {
  name: string;
  caption: string;
}
export type NavigateTarget = 'self' | 'blank';

export interface DialogResult {
  /** The button pressed; undefined when the user closed the dialog. */
  buttonName?: string;
  resolution: 'normal' | 'closedByUser';
}

// ---------------------------------------------------------------- origins

/**
 * One allowed host origin, as written in FRAME_ANCESTORS: `https://online.moysklad.ru`,
 * `https://*.moysklad.ru` (any sub-domain, not the bare domain — as CSP reads it) or
 * `http://127.0.0.1:*` (any port). Keywords like `'self'` and scheme-only sources are ignored:
 * the host is never this app itself.
 */
interface OriginPattern {
  scheme: string;
  /** Host with an optional leading `*.` */
  host: string;
  /** Port as written, '' for the default port, '*' for any. */
  port: string;
}

function parsePattern(source: string): OriginPattern | null {
  const m = /^(https?):\/\/((?:\*\.)?[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?\/?$/i.exec(source.trim());
  if (!m) return null;
  return { scheme: m[1].toLowerCase(), host: m[2].toLowerCase(), port: m[3] ?? '' };
}

function defaultPort(scheme: string): string {
  return scheme === 'https' ? '443' : '80';
}

/** Accepts a space/comma separated FRAME_ANCESTORS value or a list. */
export function parseAllowedOrigins(spec: string | readonly string[]): string[] {
  const parts = typeof spec === 'string' ? spec.split(/[\s,]+/) : spec.flatMap((s) => s.split(/[\s,]+/));
  return parts.map((s) => s.trim()).filter((s) => s && parsePattern(s) !== null);
}

export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // `origin` must be exactly an origin (what MessageEvent.origin carries), not a path or 'null'.
  if (url.origin === 'null' || url.origin !== origin.replace(/\/$/, '')) return false;
  const scheme = url.protocol.replace(':', '');
  const host = url.hostname.toLowerCase();
  const port = url.port || defaultPort(scheme);
  return allowed.some((source) => {
    const p = parsePattern(source);
    if (!p || p.scheme !== scheme) return false;
    if (p.port !== '*' && (p.port || defaultPort(p.scheme)) !== port) return false;
    if (p.host.startsWith('*.')) {
      const suffix = p.host.slice(1); // ".moysklad.ru"
      return host.endsWith(suffix) && host.length > suffix.length;
    }
    return p.host === host;
  });
}

/** An exact (wildcard-free) origin from the list, if there is exactly one: a safe postMessage target. */
function soleExactOrigin(allowed: readonly string[]): string | undefined {
  const exact = allowed.filter((s) => !s.includes('*')).map((s) => s.replace(/\/$/, ''));
  return exact.length === 1 ? exact[0] : undefined;
}

// ---------------------------------------------------------------- injectable window

export interface MessageEventLike {
  data: unknown;
  origin: string;
  source?: unknown;
}
export interface WindowLike {
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}
export interface ParentLike {
  postMessage(message: unknown, targetOrigin: string): void;
}
export interface TimersLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// ---------------------------------------------------------------- early buffer

/** Global where messages that arrive before the app starts are kept (raw, checked on replay). */
export const EARLY_BUFFER_KEY = '__betaproHostMessages';
const EARLY_STOP_KEY = '__betaproHostMessagesStop';
const EARLY_LIMIT = 50;

/**
 * Inline script for the page shell: MoySklad may post `Open` right when the iframe loads, before the
 * JS bundle has hydrated. It only records messages; origin checks happen when the bridge replays them.
 */
export const EARLY_BUFFER_SCRIPT =
  `(function(w){if(w.${EARLY_BUFFER_KEY})return;var b=w.${EARLY_BUFFER_KEY}=[];` +
  `function h(e){if(b.length<${EARLY_LIMIT})b.push({data:e.data,origin:e.origin,source:e.source})}` +
  `w.addEventListener('message',h);w.${EARLY_STOP_KEY}=function(){w.removeEventListener('message',h)}})(window);`;

interface EarlyGlobal {
  [EARLY_BUFFER_KEY]?: MessageEventLike[];
  [EARLY_STOP_KEY]?: () => void;
}

/** Same as EARLY_BUFFER_SCRIPT, for when this module loads first (no shell script on the page). */
export function installEarlyBuffer(win: WindowLike & object): void {
  const g = win as unknown as EarlyGlobal;
  if (g[EARLY_BUFFER_KEY]) return;
  const buffer: MessageEventLike[] = [];
  g[EARLY_BUFFER_KEY] = buffer;
  const listener = (e: MessageEventLike) => {
    if (buffer.length < EARLY_LIMIT) buffer.push({ data: e.data, origin: e.origin, source: e.source });
  };
  win.addEventListener('message', listener);
  g[EARLY_STOP_KEY] = () => win.removeEventListener('message', listener);
}

/** Stops the early listener and returns what it caught. The bridge takes over from here. */
export function drainEarlyBuffer(win: object): MessageEventLike[] {
  const g = win as EarlyGlobal;
  const buffered = g[EARLY_BUFFER_KEY] ?? [];
  g[EARLY_STOP_KEY]?.();
  g[EARLY_BUFFER_KEY] = [];
  g[EARLY_STOP_KEY] = undefined;
  return buffered;
}

// ---------------------------------------------------------------- errors

export class HostRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'invalid' | 'no-host' | 'stopped',
    readonly errors: Array<{ code: number; error: string }> = [],
  ) {
    super(message);
    this.name = 'HostRequestError';
  }
}

// ---------------------------------------------------------------- the bridge

export interface HostBridgeOptions {
  /** The iframe's own window (listens for `message`). */
  self: WindowLike;
  /** The host window (`window.parent`); messages must come from it when the event says where from. */
  parent: ParentLike;
  /** FRAME_ANCESTORS-style list of host origins. */
  allowedOrigins: readonly string[];
  /** Where the page was opened from (document.referrer): a fallback target before the host spoke. */
  referrer?: string;
  timers?: TimersLike;
  /** Default timeout of requests that the host answers at once (NavigateRequest). */
  timeoutMs?: number;
  /** Timeout of a dialog: the user may read it for a while. */
  dialogTimeoutMs?: number;
  /** Messages caught before the bridge started (drainEarlyBuffer). */
  buffered?: readonly MessageEventLike[];
  /** Refused messages (wrong origin or source), for diagnostics. */
  onRejected?: (event: MessageEventLike, reason: string) => void;
}

interface Pending {
  expect: 'NavigateResponse' | 'ShowDialogResponse';
  resolve: (message: HostMessage) => void;
  reject: (error: HostRequestError) => void;
  timer: unknown;
}

type Listener<T> = (message: T) => void;

const defaultTimers: TimersLike = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Shape check of a host message; anything else (other scripts, extensions) is ignored. */
export function asHostMessage(data: unknown): HostMessage | null {
  if (!isObject(data) || typeof data.name !== 'string') return null;
  switch (data.name) {
    case 'Open':
    case 'Save':
      if (typeof data.messageId !== 'number') return null;
      if (data.objectId !== null && data.objectId !== undefined && typeof data.objectId !== 'string') return null;
      return { ...data, objectId: (data.objectId as string | null | undefined) ?? null } as unknown as OpenMessage | SaveMessage;
    case 'NavigateResponse':
    case 'ShowDialogResponse':
    case 'InvalidMessageError':
    case 'UpdateResponse':
      return typeof data.correlationId === 'number' ? (data as unknown as HostMessage) : null;
    case 'Change':
      return data as unknown as HostMessage;
    default:
      return null;
  }
}

export class HostBridge {
  private readonly allowed: string[];
  private readonly timers: TimersLike;
  private readonly timeoutMs: number;
  private readonly dialogTimeoutMs: number;
  private readonly pending = new Map<number, Pending>();
  private readonly openListeners = new Set<Listener<OpenMessage>>();
  private readonly saveListeners = new Set<Listener<SaveMessage>>();
  private nextMessageId = 1;
  private started = false;
  private hostOrigin: string | undefined;
  private lastOpenMessage: OpenMessage | null = null;
  private readonly listener = (event: MessageEventLike) => this.receive(event);

  constructor(private readonly options: HostBridgeOptions) {
    this.allowed = parseAllowedOrigins(options.allowedOrigins);
    this.timers = options.timers ?? defaultTimers;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.dialogTimeoutMs = options.dialogTimeoutMs ?? 10 * 60_000;
  }

  /** Starts listening and replays the buffered messages (through the same checks). */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.options.self.addEventListener('message', this.listener);
    for (const event of this.options.buffered ?? []) this.receive(event);
    return this;
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.options.self.removeEventListener('message', this.listener);
    for (const [id, p] of this.pending) {
      this.timers.clearTimeout(p.timer);
      p.reject(new HostRequestError('bridge stopped', 'stopped'));
      this.pending.delete(id);
    }
  }

  /** The latest Open, so a subscriber that comes late still learns the current document. */
  get lastOpen(): OpenMessage | null {
    return this.lastOpenMessage;
  }

  /** Origin the host spoke from (learned from its first accepted message). */
  get origin(): string | undefined {
    return this.hostOrigin;
  }

  onOpen(listener: Listener<OpenMessage>): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  onSave(listener: Listener<SaveMessage>): () => void {
    this.saveListeners.add(listener);
    return () => this.saveListeners.delete(listener);
  }

  /** open-feedback: removes the host's loader over the widget. */
  openFeedback(openMessageId: number): void {
    this.post({ name: 'OpenFeedback', correlationId: openMessageId });
  }

  /** navigation-service; resolves when the host confirms (it answers before navigating). */
  async navigate(path: string, target: NavigateTarget = 'self'): Promise<void> {
    const messageId = this.nextMessageId++;
    await this.request(messageId, 'NavigateResponse', { name: 'NavigateRequest', messageId, path, target }, this.timeoutMs);
  }

  /** standard-dialogs: a modal dialog of the host (browsers block `confirm()` in cross-origin iframes). */
  async showDialog(dialogText: string, buttons: readonly DialogButton[]): Promise<DialogResult> {
    const messageId = this.nextMessageId++;
    const reply = (await this.request(
      messageId,
      'ShowDialogResponse',
      {
        name: 'ShowDialogRequest',
        messageId,
        dialogText: dialogText.slice(0, 4096),
        buttons: buttons.map((b) => ({ name: b.name, caption: b.caption.slice(0, 100) })),
      },
      this.dialogTimeoutMs,
    )) as ShowDialogResponseMessage;
    return {
      buttonName: reply.buttonName,
      resolution: reply.dialogResolution === 'closedByUser' ? 'closedByUser' : 'normal',
    };
  }

  /** Where to post: the origin the host spoke from, else the referrer or the sole exact allowed origin. */
  private target(): string | undefined {
    if (this.hostOrigin) return this.hostOrigin;
    if (this.options.referrer) {
      try {
        const origin = new URL(this.options.referrer).origin;
        if (isOriginAllowed(origin, this.allowed)) return origin;
      } catch {
        // no usable referrer
      }
    }
    return soleExactOrigin(this.allowed);
  }

  private post(message: Record<string, unknown>): boolean {
    const target = this.target();
    if (!target) return false;
    this.options.parent.postMessage(message, target);
    return true;
  }

  private request(messageId: number, expect: Pending['expect'], message: Record<string, unknown>, timeoutMs: number): Promise<HostMessage> {
    return new Promise<HostMessage>((resolve, reject) => {
      if (!this.started) {
        reject(new HostRequestError('bridge not started', 'stopped'));
        return;
      }
      if (!this.post(message)) {
        reject(new HostRequestError('host origin unknown: no message from MoySklad yet', 'no-host'));
        return;
      }
      const timer = this.timers.setTimeout(() => {
        this.pending.delete(messageId);
        reject(new HostRequestError(`${String(message.name)} ${messageId}: no ${expect} within ${timeoutMs} ms`, 'timeout'));
      }, timeoutMs);
      this.pending.set(messageId, { expect, resolve, reject, timer });
    });
  }

  private receive(event: MessageEventLike): void {
    const message = asHostMessage(event.data);
    if (!message) return; // not ours: other scripts and extensions post messages too
    if (!isOriginAllowed(event.origin, this.allowed)) {
      this.options.onRejected?.(event, `origin ${event.origin} is not allowed`);
      return;
    }
    // A message from an allowed origin but another window (e.g. a sibling frame) is not the host.
    if (event.source !== undefined && event.source !== null && event.source !== this.options.parent) {
      this.options.onRejected?.(event, 'message is not from the parent window');
      return;
    }
    this.hostOrigin = event.origin;
    switch (message.name) {
      case 'Open':
        this.lastOpenMessage = message;
        for (const l of [...this.openListeners]) l(message);
        return;
      case 'Save':
        for (const l of [...this.saveListeners]) l(message);
        return;
      case 'NavigateResponse':
      case 'ShowDialogResponse':
      case 'InvalidMessageError': {
        const p = this.pending.get(message.correlationId);
        if (!p) return;
        if (message.name !== 'InvalidMessageError' && message.name !== p.expect) return;
        this.pending.delete(message.correlationId);
        this.timers.clearTimeout(p.timer);
        if (message.name === 'InvalidMessageError') {
          const errors = Array.isArray(message.errors) ? message.errors : [];
          p.reject(
            new HostRequestError(
              `host refused the request: ${errors.map((e) => `${e.code} ${e.error}`).join('; ') || 'invalid message'}`,
              'invalid',
              errors,
            ),
          );
        } else {
          p.resolve(message);
        }
        return;
      }
      default:
        return;
    }
  }
}

// ---------------------------------------------------------------- main iframe height

/**
 * Main iframe auto-height: `{height}` to the parent whenever the content height changes. The height
 * is not sensitive, so before the host origin is known the message may go to '*', as MoySklad's own
 * docs do; with a known allowed origin it goes only there.
 */
export class HeightReporter {
  private last = -1;

  constructor(
    private readonly parent: ParentLike,
    private readonly allowedOrigins: readonly string[],
    private readonly referrer?: string,
  ) {}

  private target(): string {
    const allowed = parseAllowedOrigins(this.allowedOrigins);
    if (this.referrer) {
      try {
        const origin = new URL(this.referrer).origin;
        if (isOriginAllowed(origin, allowed)) return origin;
      } catch {
        // fall through
      }
    }
    return soleExactOrigin(allowed) ?? '*';
  }

  /** Posts the height if it changed by at least one pixel; returns whether it posted. */
  report(height: number): boolean {
    const h = Math.ceil(height);
    if (!Number.isFinite(h) || h <= 0 || h === this.last) return false;
    this.last = h;
    this.parent.postMessage({ height: h }, this.target());
    return true;
  }
}

// ---------------------------------------------------------------- browser singleton

// Catch messages as early as this module loads (the shell's inline script usually did it already).
if (typeof window !== 'undefined') installEarlyBuffer(window as unknown as WindowLike & object);

let browserBridge: HostBridge | null = null;

/** The page's one bridge (the widget iframe lives for many documents; so does this). */
export function getBrowserBridge(allowedOrigins: readonly string[]): HostBridge {
  if (!browserBridge) {
    browserBridge = new HostBridge({
      self: window as unknown as WindowLike,
      parent: window.parent as unknown as ParentLike,
      allowedOrigins,
      referrer: document.referrer || undefined,
      buffered: drainEarlyBuffer(window),
      onRejected: (event, reason) => console.warn(`MoySklad bridge: ignored a message (${reason})`, event.origin),
    }).start();
  }
  return browserBridge;
}
