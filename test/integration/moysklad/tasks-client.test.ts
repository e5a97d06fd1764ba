/**
 * lib/moysklad/tasks.ts against the MoySklad simulator: a task created for an employee and linked to a
 * supply, found again by the marker in its text while open (and not once done), closed; employees listed.
 * Every request body is checked against MoySklad's OpenAPI spec, and so is every simulator answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoyskladSimulator } from '@/test/sandbox/moysklad';
import { createMoyskladClient, type MoyskladClient } from '@/lib/moysklad/json-api';
import { closeTask, createTask, findOpenTasksByMarker, listEmployees } from '@/lib/moysklad/tasks';
import { expectResponseConforms } from '@/test/support/openapi';
import { recordRequests, specProblems, startSimulatorFor, startStubApp, type SentRequest, type StubApp } from './support';

let stub: StubApp;
let sim: MoyskladSimulator;
let accountId: string;
let token: string;
let client: MoyskladClient;
let sent: SentRequest[];
let seed: ReturnType<MoyskladSimulator['seed']>;

beforeAll(async () => {
  stub = await startStubApp();
  sim = await startSimulatorFor(stub);
  const installed = await sim.installedAccount('tasks');
  accountId = installed.accountId;
  token = installed.token;
  seed = sim.seed(accountId, { states: false });
  client = createMoyskladClient({ baseUrl: sim.apiUrl, token, accountId, retry: { baseDelayMs: 50 } });
  sent = recordRequests(client.http, sim.apiUrl);
});

afterAll(async () => {
  await sim?.close();
  await stub?.close();
});

/** The simulator's raw answer to a GET, checked against the spec. */
async function rawGet(path: string, op: string): Promise<unknown> {
  const res = await fetch(`${sim.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } });
  const body = (await res.json()) as unknown;
  expectResponseConforms('moysklad', op, res.status, body);
  return body;
}

describe('MoySklad tasks', () => {
  it('create for an employee linked to a supply, find by marker while open, close', async () => {
    const clerk = sim.employeeId(accountId, 'clerk');
    const supplyId = seed.supplies[0];
    const marker = '[BetaPRO Bridge 11111111-2222-3333-4444-555555555555]';
    const created = await createTask(client, {
      description: `Приёмка 00001: проверьте расхождения.\n${marker}`,
      assigneeId: clerk,
      operation: { entity: 'supply', id: supplyId },
      dueToDate: '2026-12-02 10:00:00',
    });
    expect(created.done).toBe(false);
    expect(created.assignee?.meta.href).toContain(clerk);
    expect(created.operation?.meta.href).toContain(supplyId);

    expect((await findOpenTasksByMarker(client, marker)).map((t) => t.id)).toEqual([created.id]);
    expect(await findOpenTasksByMarker(client, '[BetaPRO Bridge other]')).toEqual([]);

    const raw = (await rawGet(`/entity/task/${created.id}`, 'GET /entity/task/{id}')) as { operation: { meta: { type: string } } };
    expect(raw.operation.meta.type).toBe('supply');
    await rawGet(`/entity/task?filter=${encodeURIComponent('done=false')}`, 'GET /entity/task');

    const closed = await closeTask(client, created.id);
    expect(closed.done).toBe(true);
    expect(await findOpenTasksByMarker(client, marker)).toEqual([]);
    // Closing again changes nothing.
    expect((await closeTask(client, created.id)).done).toBe(true);
    expect(sim.tasks(accountId)).toHaveLength(1);

    const { problems, missingOps } = specProblems(sent);
    expect(missingOps).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('a task without an assignee is refused; a missing task is NOT_FOUND', async () => {
    const res = await fetch(`${sim.apiUrl}/entity/task`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip', 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'без исполнителя' }),
    });
    expect(res.status).toBe(412);
    await expect(closeTask(client, '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists the employees (the settings picker)', async () => {
    const employees = await listEmployees(client);
    expect(employees.map((e) => e.id)).toContain(sim.employeeId(accountId, 'admin'));
    expect(employees.every((e) => e.name.length > 0)).toBe(true);
    const one = (await rawGet(`/entity/employee/${employees[0].id}`, 'GET /entity/employee/{id}')) as { id: string };
    expect(one.id).toBe(employees[0].id);
    await rawGet('/entity/employee', 'GET /entity/employee');
  });
});
