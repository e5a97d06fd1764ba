/**
 * Tasks (`/entity/task`: list with filter, create, get, update) and employees (`/entity/employee`: list,
 * get) of the simulated JSON API, shaped as the official spec's Task and Employee. Tasks are kept per
 * account in `AccountRec.tasks`; the host page lists them (`/ui/tasks`).
 *
 * Filterable task fields: `id`, `done`, `description` (=, !=, ~, ~=, =~), `assignee`, `operation` (href),
 * `created`, `updated`. A task needs `description` and `assignee` (MoySklad: both required on create).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { apiError } from './http';
import { matchesFilter, parseFilter, parsePaging, validateFilter, type FieldGetter, type FieldValues } from './query';
import { MEDIA, type Serializer } from './serialize';
import { mskNow } from './time';
import type { AccountRec, EmployeeRec, TaskRec } from './types';

type Result = { status: number; body?: unknown };
type Envelope = (type: string, total: number, paging: { limit: number; offset: number }, rows: unknown[]) => Record<string, unknown>;

const DOCUMENT_TYPES = ['supply', 'move', 'purchasereturn'];
const metaRef = z.looseObject({ meta: z.looseObject({ href: z.string(), type: z.string().optional() }) });
const taskInput = z.looseObject({
  description: z.string().max(4096).optional(),
  done: z.boolean().optional(),
  dueToDate: z.string().nullable().optional(),
  assignee: metaRef.optional(),
  operation: metaRef.nullable().optional(),
});

function parseInput(body: unknown): z.infer<typeof taskInput> {
  const parsed = taskInput.safeParse(body);
  if (!parsed.success) throw apiError(400, 2016, `Ошибка формата: ${parsed.error.issues[0]?.message ?? 'неверное тело запроса'}`);
  return parsed.data;
}

function idOf(href: string): string {
  return href.slice(href.lastIndexOf('/') + 1);
}

function employeeById(account: AccountRec, id: string): EmployeeRec {
  const found = Object.values(account.employees).find((e) => e.id === id);
  if (!found) throw apiError(404, 1021, `Объект с типом 'employee' и идентификатором '${id}' не найден`);
  return found;
}

export function serializeEmployee(ser: Serializer, account: AccountRec, e: EmployeeRec): Record<string, unknown> {
  return {
    meta: { ...ser.employeeMeta(e.id), uuidHref: `${ser.origin}/app/#employee/edit?id=${e.id}` },
    id: e.id,
    accountId: account.id,
    name: `${e.lastName} ${e.firstName}`,
    firstName: e.firstName,
    lastName: e.lastName,
    fullName: `${e.lastName} ${e.firstName}`,
    shortFio: `${e.lastName} ${e.firstName[0]}.`,
    email: e.email,
    uid: e.uid,
    archived: false,
    shared: false,
  };
}

export function serializeTask(ser: Serializer, account: AccountRec, t: TaskRec): Record<string, unknown> {
  return {
    meta: { ...ser.entityMeta('task', t.id, false), uuidHref: `${ser.origin}/app/#task/edit?id=${t.id}` },
    id: t.id,
    accountId: account.id,
    author: { meta: ser.employeeMeta(account.employees.admin.id) },
    ...(t.authorAppId ? { authorApplication: { meta: ser.applicationMeta(t.authorAppId) } } : {}),
    assignee: { meta: ser.employeeMeta(t.assigneeId) },
    created: t.created,
    updated: t.updated,
    description: t.description,
    done: t.done,
    ...(t.completed ? { completed: t.completed, implementer: { meta: ser.employeeMeta(t.assigneeId) } } : {}),
    ...(t.dueToDate ? { dueToDate: t.dueToDate } : {}),
    ...(t.operation ? { operation: { meta: ser.entityMeta(t.operation.type, t.operation.id) } } : {}),
    notes: { meta: { href: `${ser.api}/entity/task/${t.id}/notes`, type: 'tasknote', mediaType: MEDIA, size: 0, limit: 1000, offset: 0 } },
  };
}

function taskGetter(t: TaskRec): FieldGetter {
  const str = (v: string | undefined): FieldValues => ({
    kind: 'string',
    values: v === undefined ? [] : [v],
    ops: ['=', '!=', '~', '~=', '=~'],
  });
  const table: Record<string, () => FieldValues> = {
    id: () => ({ kind: 'string', values: [t.id], ops: ['=', '!='] }),
    description: () => str(t.description),
    done: () => ({ kind: 'bool', values: [t.done], ops: ['=', '!='] }),
    assignee: () => ({ kind: 'ref', values: [t.assigneeId], ops: ['=', '!='] }),
    operation: () => ({ kind: 'ref', values: t.operation ? [t.operation.id] : [], ops: ['=', '!='] }),
    created: () => ({ kind: 'date', values: [t.created], ops: ['=', '!=', '<', '>', '<=', '>='] }),
    updated: () => ({ kind: 'date', values: [t.updated], ops: ['=', '!=', '<', '>', '<=', '>='] }),
  };
  return (field) => table[field]?.();
}

function applyInput(account: AccountRec, task: TaskRec, input: z.infer<typeof taskInput>): void {
  if (input.description !== undefined) task.description = input.description;
  if (input.assignee) task.assigneeId = employeeById(account, idOf(input.assignee.meta.href)).id;
  if (input.dueToDate !== undefined) task.dueToDate = input.dueToDate ?? undefined;
  if (input.operation !== undefined) {
    if (input.operation === null) task.operation = undefined;
    else {
      const type = input.operation.meta.type ?? input.operation.meta.href.split('/').slice(-2)[0];
      if (!DOCUMENT_TYPES.includes(type)) throw apiError(400, 3000, `Неверный тип документа задачи: '${type}'`);
      const id = idOf(input.operation.meta.href);
      if (!account.entities[id]) throw apiError(404, 1021, `Объект с типом '${type}' и идентификатором '${id}' не найден`);
      task.operation = { type, id };
    }
  }
  if (input.done !== undefined && input.done !== task.done) {
    task.done = input.done;
    task.completed = input.done ? mskNow() : undefined;
  }
  task.updated = mskNow();
}

export class TaskApi {
  constructor(
    private readonly ser: () => Serializer,
    private readonly changed: () => void,
  ) {}

  list(account: AccountRec, query: URLSearchParams, envelope: Envelope): Result {
    const paging = parsePaging(query);
    const conds = parseFilter(query.get('filter'));
    const all = account.tasks ?? [];
    validateFilter(conds, taskGetter(all[0] ?? { id: '', created: '', updated: '', description: '', done: false, assigneeId: '' }));
    const rows = all.filter((t) => matchesFilter(conds, taskGetter(t)));
    const page = rows.slice(paging.offset, paging.offset + paging.limit).map((t) => serializeTask(this.ser(), account, t));
    return { status: 200, body: envelope('task', rows.length, paging, page) };
  }

  get(account: AccountRec, id: string): Result {
    return { status: 200, body: serializeTask(this.ser(), account, this.find(account, id)) };
  }

  create(account: AccountRec, body: unknown, appId: string | undefined): Result {
    const input = parseInput(body);
    if (!input.description) throw apiError(412, 3000, "Ошибка сохранения объекта: поле 'description' не может быть пустым", 'description');
    if (!input.assignee) throw apiError(412, 3000, "Ошибка сохранения объекта: поле 'assignee' не может быть пустым", 'assignee');
    const now = mskNow();
    const task: TaskRec = {
      id: randomUUID(),
      created: now,
      updated: now,
      description: '',
      done: false,
      assigneeId: '',
      authorAppId: appId,
    };
    applyInput(account, task, input);
    (account.tasks ??= []).push(task);
    this.changed();
    return { status: 200, body: serializeTask(this.ser(), account, task) };
  }

  update(account: AccountRec, id: string, body: unknown): Result {
    const task = this.find(account, id);
    applyInput(account, task, parseInput(body));
    this.changed();
    return { status: 200, body: serializeTask(this.ser(), account, task) };
  }

  employee(account: AccountRec, id: string): Result {
    return { status: 200, body: serializeEmployee(this.ser(), account, employeeById(account, id)) };
  }

  private find(account: AccountRec, id: string): TaskRec {
    const task = (account.tasks ?? []).find((t) => t.id === id);
    if (!task) throw apiError(404, 1021, `Объект с типом 'task' и идентификатором '${id}' не найден`);
    return task;
  }
}
