/**
 * Documents in flight for the stock reconciliation: sent to BetaPRO (or being received, or waiting for
 * review) and not yet «Проведён». Their planned quantities are what the two stocks may legitimately
 * differ by: BetaPRO counts goods when they arrive or leave, MoySklad when the app posts the document.
 */
import type { PrismaClient } from '@/lib/db';
import { loadStoredPlan } from '@/lib/sync/receipt/stored';
import type { InFlightLine } from '@/lib/sync/stock/compare';

export const IN_FLIGHT_STATES = ['sent', 'receiving', 'review'] as const;

/** good_id → documents in flight carrying it, with each document's planned quantity of the good. */
export async function documentsInFlight(prisma: PrismaClient, accountId: string): Promise<Map<string, InFlightLine[]>> {
  const documents = await prisma.syncDocument.findMany({
    where: { accountId, state: { in: [...IN_FLIGHT_STATES] } },
    select: { id: true, entity: true, msId: true, name: true, state: true },
    orderBy: { sentAt: 'asc' },
  });
  const byGood = new Map<string, InFlightLine[]>();
  for (const document of documents) {
    const plan = await loadStoredPlan(prisma, document.id);
    if (!plan) continue;
    const quantities = new Map<string, number>();
    for (const line of plan.lines) quantities.set(line.goodId, (quantities.get(line.goodId) ?? 0) + line.quantity);
    for (const [goodId, quantity] of quantities) {
      const lines = byGood.get(goodId) ?? [];
      lines.push({
        entity: document.entity === 'move' || document.entity === 'purchasereturn' ? document.entity : 'supply',
        msId: document.msId,
        name: document.name,
        state: document.state,
        direction: plan.direction ?? 'inbound',
        quantity,
      });
      byGood.set(goodId, lines);
    }
  }
  return byGood;
}
