/**
 * The solution's webhooks on an account: Supply and Move, CREATE (documents created already in the
 * command status) and UPDATE with `diffType: FIELDS` (status changes, with the list of changed fields).
 * MoySklad lets a solution keep at most one webhook per (entityType, action) and refuses a duplicate
 * (entityType, action, url) with error 30003, so `ensureWebhooks` converges rather than creates:
 * it keeps the matching one, repairs it (re-enable, diffType), moves a stale one to the new URL
 * (a rotated per-account secret), removes extras — and running it again changes nothing.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import { DOCUMENT_ENTITIES } from '@/lib/core/domain';
import { hasMsCode, MS_WEBHOOK_DUPLICATE_CODE } from '@/lib/moysklad/errors';
import type { MoyskladClient, NewWebhook } from '@/lib/moysklad/json-api';
import type { MsWebhook } from '@/lib/moysklad/schemas';

export interface DesiredWebhook {
  entityType: DocumentEntity;
  action: 'CREATE' | 'UPDATE';
  diffType?: 'FIELDS';
}

export function desiredWebhooks(entities: readonly DocumentEntity[] = DOCUMENT_ENTITIES): DesiredWebhook[] {
  return entities.flatMap((entityType) => [
    { entityType, action: 'CREATE' as const },
    { entityType, action: 'UPDATE' as const, diffType: 'FIELDS' as const },
  ]);
}

export interface EnsureWebhooksOptions {
  entities?: readonly DocumentEntity[];
  /**
   * Webhooks whose URL starts with this are ours (default: the URL's origin + "/"). An admin-scope
   * token also sees the users' own webhooks, which must never be touched.
   */
  ownedPrefix?: string;
}

export interface WebhookChange {
  entityType: string;
  action: string;
  id: string;
  change: 'created' | 'repaired' | 'moved' | 'deleted' | 'unchanged';
}

export interface EnsureWebhooksReport {
  changes: WebhookChange[];
  /** The webhook now serving each desired (entityType, action). */
  webhooks: MsWebhook[];
}

const key = (entityType: string, action: string) => `${entityType}:${action}`;

function needsRepair(hook: MsWebhook, want: DesiredWebhook): boolean {
  if (hook.enabled === false) return true;
  const diffType = hook.diffType ?? 'NONE';
  return want.action === 'UPDATE' && diffType !== (want.diffType ?? 'NONE');
}

function patchFor(want: DesiredWebhook, url: string): Partial<NewWebhook> {
  return {
    url,
    enabled: true,
    ...(want.action === 'UPDATE' ? { diffType: want.diffType ?? 'NONE' } : {}),
  };
}

// eslint-disable-next-line max-lines-per-function -- one pass over the wanted webhooks: list, compare, create, delete; each step is a few lines of the same loop
export async function ensureWebhooks(
  client: MoyskladClient,
  url: string,
  options: EnsureWebhooksOptions = {},
): Promise<EnsureWebhooksReport> {
  const ownedPrefix = options.ownedPrefix ?? `${new URL(url).origin}/`;
  const desired = desiredWebhooks(options.entities);
  const managedEntities = new Set<string>(DOCUMENT_ENTITIES);
  const changes: WebhookChange[] = [];
  const result: MsWebhook[] = [];

  const ours = (await client.listWebhooks()).filter((h) => h.url.startsWith(ownedPrefix));
  const wanted = new Set(desired.map((d) => key(d.entityType, d.action)));

  for (const want of desired) {
    const candidates = ours.filter((h) => h.entityType === want.entityType && h.action === want.action);
    // Prefer the one already at the right URL; else reuse any of ours for this pair (one allowed).
    const keep = candidates.find((h) => h.url === url) ?? candidates[0];
    for (const extra of candidates) {
      if (extra === keep) continue;
      await client.deleteWebhook(extra.id);
      changes.push({ entityType: extra.entityType, action: extra.action, id: extra.id, change: 'deleted' });
    }
    if (keep) {
      if (keep.url !== url || needsRepair(keep, want)) {
        const updated = await client.updateWebhook(keep.id, patchFor(want, url));
        changes.push({
          entityType: want.entityType,
          action: want.action,
          id: keep.id,
          change: keep.url !== url ? 'moved' : 'repaired',
        });
        result.push(updated);
      } else {
        changes.push({ entityType: want.entityType, action: want.action, id: keep.id, change: 'unchanged' });
        result.push(keep);
      }
      continue;
    }
    try {
      const created = await client.createWebhook({
        url,
        entityType: want.entityType,
        action: want.action,
        ...(want.diffType ? { diffType: want.diffType } : {}),
      });
      changes.push({ entityType: want.entityType, action: want.action, id: created.id, change: 'created' });
      result.push(created);
    } catch (error) {
      // Created meanwhile by a concurrent ensure (another worker): converge on what is there now.
      if (!hasMsCode(error, MS_WEBHOOK_DUPLICATE_CODE)) throw error;
      const existing = (await client.listWebhooks()).find(
        (h) => h.url === url && h.entityType === want.entityType && h.action === want.action,
      );
      if (!existing) throw error;
      if (needsRepair(existing, want)) result.push(await client.updateWebhook(existing.id, patchFor(want, url)));
      else result.push(existing);
      changes.push({ entityType: want.entityType, action: want.action, id: existing.id, change: 'unchanged' });
    }
  }

  // Ours for a managed entity but no longer wanted (a disabled document type, an old DELETE hook).
  for (const hook of ours) {
    if (!managedEntities.has(hook.entityType) || wanted.has(key(hook.entityType, hook.action))) continue;
    await client.deleteWebhook(hook.id);
    changes.push({ entityType: hook.entityType, action: hook.action, id: hook.id, change: 'deleted' });
  }
  return { changes, webhooks: result };
}

/** Deletes every webhook whose URL starts with `urlPrefix`; returns how many. */
export async function removeWebhooks(client: MoyskladClient, urlPrefix: string): Promise<number> {
  const hooks = (await client.listWebhooks()).filter((h) => h.url.startsWith(urlPrefix));
  for (const hook of hooks) await client.deleteWebhook(hook.id);
  return hooks.length;
}

export interface WebhookHealth {
  installed: DesiredWebhook[];
  missing: DesiredWebhook[];
  disabled: DesiredWebhook[];
}

/** For the settings page: which of the desired webhooks exist, are missing or disabled (no changes). */
export async function checkWebhooks(client: MoyskladClient, url: string, entities?: readonly DocumentEntity[]): Promise<WebhookHealth> {
  const hooks = (await client.listWebhooks()).filter((h) => h.url === url);
  const health: WebhookHealth = { installed: [], missing: [], disabled: [] };
  for (const want of desiredWebhooks(entities)) {
    const hook = hooks.find((h) => h.entityType === want.entityType && h.action === want.action);
    if (!hook) health.missing.push(want);
    else if (needsRepair(hook, want)) health.disabled.push(want);
    else health.installed.push(want);
  }
  return health;
}
