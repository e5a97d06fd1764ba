/**
 * References as MoySklad writes them in request bodies (`{meta: {href, type, mediaType}}`) and the
 * other way round (the id at the end of an href). Writing a reference needs nothing else.
 */
import type { DocumentEntity } from '@/lib/core/domain';

export interface MsRefBody {
  meta: { href: string; type: string; mediaType: 'application/json' };
}

/** The last path segment of an href (query string ignored). */
export function idFromHref(href: string): string {
  const path = href.split('?')[0].replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export function refBody(href: string, type: string): MsRefBody {
  return { meta: { href, type, mediaType: 'application/json' } };
}

/** `{meta}` of a document status, for `PUT /entity/{entity}/{id}` with `{state: …}`. */
export function stateRefBody(baseUrl: string, entity: DocumentEntity, stateId: string): MsRefBody {
  return refBody(`${baseUrl.replace(/\/+$/, '')}/entity/${entity}/metadata/states/${encodeURIComponent(stateId)}`, 'state');
}

export function entityRefBody(baseUrl: string, type: string, id: string): MsRefBody {
  return refBody(`${baseUrl.replace(/\/+$/, '')}/entity/${type}/${encodeURIComponent(id)}`, type);
}
