/**
 * MoySklad tasks (`entity/task`) and the employees they are assigned to: the calls the discrepancy tasks
 * make (docs/discrepancy-tasks.md), over the account's client (same gate, retries and error mapping).
 * Tasks have no custom permission in MoySklad: the solution's token needs the admin scope (docs/platform.md).
 */
import { z } from 'zod';
import { buildFilter, type MoyskladClient } from '@/lib/moysklad/json-api';
import { msEntityMetaSchema, msListSchema, msRefSchema } from '@/lib/moysklad/schemas';

export const msTaskSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  description: z.string().optional(),
  done: z.boolean().optional(),
  assignee: msRefSchema.optional(),
  operation: msRefSchema.nullable().optional(),
});
export type MsTask = z.infer<typeof msTaskSchema>;

export const msEmployeeSchema = z.object({
  meta: msEntityMetaSchema,
  id: z.string(),
  name: z.string(),
  archived: z.boolean().optional(),
});
export type MsEmployee = z.infer<typeof msEmployeeSchema>;

/** MoySklad's limit of a task's text. */
export const TASK_DESCRIPTION_MAX = 4096;
const PAGE = 100;
const MEDIA = 'application/json';

export interface NewTask {
  description: string;
  assigneeId: string;
  /** The document the task is about (MoySklad shows it as the task's linked document). */
  operation: { entity: string; id: string };
  /** Due date in MoySklad's format (`YYYY-MM-DD HH:mm:ss`, Moscow time); none when undefined. */
  dueToDate?: string;
}

function ref(client: MoyskladClient, type: string, id: string) {
  return { meta: { href: client.href(`/entity/${type}/${encodeURIComponent(id)}`), type, mediaType: MEDIA } };
}

/** POST /entity/task. Not idempotent: callers guard it (lib/sync/tasks/discrepancy-task.ts). */
export function createTask(client: MoyskladClient, task: NewTask): Promise<MsTask> {
  return client.request({
    method: 'POST',
    path: '/entity/task',
    schema: msTaskSchema,
    operation: 'POST /entity/task',
    body: {
      description: task.description.slice(0, TASK_DESCRIPTION_MAX),
      assignee: ref(client, 'employee', task.assigneeId),
      operation: ref(client, task.operation.entity, task.operation.id),
      ...(task.dueToDate ? { dueToDate: task.dueToDate } : {}),
    },
  });
}

/** Open tasks whose text contains `marker` (`filter=done=false;description~…`): at most one page. */
export async function findOpenTasksByMarker(client: MoyskladClient, marker: string): Promise<MsTask[]> {
  const list = await client.request({
    method: 'GET',
    path: '/entity/task',
    schema: msListSchema(msTaskSchema),
    operation: 'GET /entity/task',
    query: {
      filter: buildFilter([
        ['done', '=', 'false'],
        ['description', '~', marker],
      ]),
      limit: PAGE,
    },
  });
  return list.rows.filter((task) => task.description?.includes(marker));
}

/** Marks the task done (PUT done=true): setting it again changes nothing. */
export function closeTask(client: MoyskladClient, taskId: string): Promise<MsTask> {
  return client.request({
    method: 'PUT',
    path: `/entity/task/${encodeURIComponent(taskId)}`,
    schema: msTaskSchema,
    operation: 'PUT /entity/task/{id}',
    body: { done: true },
    notFoundMessage: 'Задача не найдена в МоемСкладе: возможно, она удалена.',
  });
}

/** The account's employees that are not archived, page after page (the settings page's picker). */
export async function listEmployees(client: MoyskladClient): Promise<MsEmployee[]> {
  const employees: MsEmployee[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.request({
      method: 'GET',
      path: '/entity/employee',
      schema: msListSchema(msEmployeeSchema),
      operation: 'GET /entity/employee',
      query: { limit: PAGE, offset },
    });
    employees.push(...page.rows);
    if (page.rows.length < PAGE || offset + PAGE >= (page.meta.size ?? 0) || offset >= 10_000) break;
  }
  return employees.filter((e) => !e.archived);
}
