/**
 * One name per user: MoySklad's audit and webhooks name a user by login (`uid`, `ivanova@shop`), the
 * app's pages by the employee's short name («Иванова А.»). A login is turned into the short name once
 * and remembered per account (docs/product.md §5, «One name per user»):
 *
 * - an employee who opened the widget or the settings is known from the session, without a call;
 * - anyone else costs one `GET /entity/employee?filter=uid=…`, shared by every webhook of a burst
 *   that asks at the same time, and remembered;
 * - a failed or empty lookup gives the login itself (never fails what asked), remembered for a
 *   shorter while so a burst does not repeat the failing call.
 *
 * Bounded: at most MAX_ENTRIES logins over all accounts, the least recently used dropped first.
 */
import { logFor } from '@/lib/core/logger';
import type { MoyskladClient } from '@/lib/moysklad/json-api';

const MAX_ENTRIES = 2000;
const KNOWN_TTL_MS = 6 * 60 * 60_000;
const FALLBACK_TTL_MS = 5 * 60_000;

interface Entry {
  name: Promise<string>;
  until: number;
}

const cacheKey = Symbol.for('betapro-bridge.employee-names');
const cache: Map<string, Entry> = ((globalThis as Record<symbol, Map<string, Entry> | undefined>)[cacheKey] ??= new Map());

function keyOf(accountId: string, uid: string): string {
  return `${accountId}\u0000${uid.toLowerCase()}`;
}

function put(key: string, entry: Entry): void {
  cache.delete(key);
  cache.set(key, entry);
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

/** Records a login's short name known without asking MoySklad (a session's employee). */
export function rememberEmployeeName(accountId: string, uid: string | undefined, name: string): void {
  if (!uid || !name) return;
  put(keyOf(accountId, uid), { name: Promise.resolve(name), until: Date.now() + KNOWN_TTL_MS });
}

async function lookUp(client: Pick<MoyskladClient, 'findEmployeeByUid'>, accountId: string, uid: string, key: string): Promise<string> {
  try {
    const employee = await client.findEmployeeByUid(uid);
    const name = employee?.shortFio || employee?.fullName || employee?.name;
    if (name) return name;
    logFor({ accountId }).info({ uid }, 'no employee with this login; the login is shown');
  } catch (error) {
    logFor({ accountId }).info({ uid, err: (error as Error).message }, 'employee lookup failed; the login is shown');
  }
  // Remembered for a shorter while: the employee may appear, MoySklad may answer again.
  const entry = cache.get(key);
  if (entry) entry.until = Math.min(entry.until, Date.now() + FALLBACK_TTL_MS);
  return uid;
}

/** The short name of the employee with this login, or the login when MoySklad cannot say. */
export function employeeNameFor(client: Pick<MoyskladClient, 'findEmployeeByUid'>, accountId: string, uid: string): Promise<string> {
  const key = keyOf(accountId, uid);
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) {
    put(key, hit);
    return hit.name;
  }
  const entry: Entry = { name: Promise.resolve(uid), until: Date.now() + KNOWN_TTL_MS };
  entry.name = lookUp(client, accountId, uid, key);
  put(key, entry);
  return entry.name;
}

/** Forgets every remembered name (tests). */
export function forgetEmployeeNames(): void {
  cache.clear();
}
