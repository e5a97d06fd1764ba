/** Params of the widget's document routes (/api/widget/documents/{entity}/{id}). */
import { z } from 'zod';
import { documentEntitySchema } from '@/lib/core/views';

export const documentParamsSchema = z.object({ entity: documentEntitySchema, id: z.guid() });
