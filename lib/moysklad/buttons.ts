/**
 * The solution's custom buttons as the descriptor declares them (vendor-descriptor/descriptor.xml.template
 * names them literally; test/unit/moysklad/descriptor.test.ts keeps both in step). Kept apart from
 * descriptor.ts, which reads the template from disk, so route handlers import no file access.
 */

/** `buttonName` of «Передать на склад БетаПРО» on the supply and move lists (docs/bulk-send.md). */
export const BULK_SEND_BUTTON = 'send_to_betapro';
/** The list points that carry it, and the document entity each one lists. */
export const BULK_SEND_POINTS = { 'document.supply.list': 'supply', 'document.move.list': 'move' } as const;
