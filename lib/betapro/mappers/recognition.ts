/** `GET /goods/recognition` items → the product's UnrecognizedGood (quantities summed per task and quality). */
import type { z } from 'zod';
import type { fboxRecognitionListSchema } from '@/lib/betapro/schemas';
import type { UnrecognizedGood } from '@/lib/betapro/types';

type FboxRecognitionItem = NonNullable<z.infer<typeof fboxRecognitionListSchema>['items']>[number];

export function toUnrecognizedGood(item: FboxRecognitionItem): UnrecognizedGood {
  const tasks = new Map<string, { indocId: string; useful: number; defective: number }>();
  for (const found of item.indocs ?? []) {
    // A row without indoc_id is a good found outside any task of ours: nothing to wait on.
    if (!found.indoc_id) continue;
    const task = tasks.get(found.indoc_id) ?? { indocId: found.indoc_id, useful: 0, defective: 0 };
    const qnt = Math.max(0, found.qnt);
    if (found.qual_type === 'useful') task.useful += qnt;
    else task.defective += qnt;
    tasks.set(found.indoc_id, task);
  }
  return {
    barcode: item.barcode,
    description: item.descrip?.trim() ?? '',
    ...(item.date ? { since: item.date } : {}),
    tasks: [...tasks.values()],
  };
}
