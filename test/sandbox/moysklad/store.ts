/**
 * In-memory state of the simulator, one object per MoySklad account, persisted as JSON when a
 * `stateFile` is given (written shortly after each change and on close; loaded on start), so a demo
 * restart keeps its documents, tokens and installations.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mskNow } from './time';
import type { AccountRec, EmployeeKind, EmployeeRec, EntityRec, EntityType, SimState } from './types';

const CRUD = { view: 'ALL', create: 'ALL', update: 'ALL', delete: 'ALL' };
const DOC_RIGHTS = { ...CRUD, approve: 'ALL', print: 'ALL' };

/**
 * Permissions of the three demo employees, in the shape of `GET /context/employee` (and thus of the
 * Vendor API context exchange): only entity keys that are granted appear, values are `ALL`.
 */
function permissionsFor(kind: EmployeeKind): Record<string, unknown> {
  const base: Record<string, unknown> = {
    currency: { view: 'ALL' },
    uom: { view: 'ALL' },
    product: { ...CRUD, print: 'ALL' },
    variant: { ...CRUD, print: 'ALL' },
    service: { ...CRUD, print: 'ALL' },
    bundle: { ...CRUD, print: 'ALL' },
    assortment: { ...CRUD, print: 'ALL' },
    store: { view: 'ALL' },
    counterparty: { view: 'ALL' },
    organization: { view: 'ALL' },
    move: { ...DOC_RIGHTS },
    purchasereturn: { ...DOC_RIGHTS },
    supply: { ...DOC_RIGHTS },
  };
  if (kind === 'admin') {
    return {
      ...base,
      store: { ...CRUD },
      counterparty: { ...CRUD },
      organization: { ...CRUD },
      webhook: { ...CRUD },
      audit_dashboard: { view: 'ALL' },
      admin: { view: 'ALL' },
    };
  }
  if (kind === 'clerk-readonly') {
    // Opens supplies but may not change them: the widget must show its actions disabled.
    base.supply = { view: 'ALL' } as typeof base.supply;
  }
  // User-level flags are booleans (RDOC custom roles): the clerk may see the stock report, the others may not.
  base.viewStockReport = kind === 'clerk';
  if (kind === 'clerk-nosupply') {
    // "No rights on supplies at all": the key is absent, as MoySklad omits entities without rights.
    delete base.supply;
  }
  return base;
}

const EMPLOYEE_NAMES: Record<EmployeeKind, { login: string; first: string; last: string }> = {
  admin: { login: 'admin', first: 'Анна', last: 'Администраторова' },
  clerk: { login: 'clerk', first: 'Иван', last: 'Кладовщиков' },
  'clerk-readonly': { login: 'reader', first: 'Ольга', last: 'Смотрова' },
  'clerk-nosupply': { login: 'viewer', first: 'Пётр', last: 'Безправов' },
};

function makeEmployee(kind: EmployeeKind, accountName: string): EmployeeRec {
  const n = EMPLOYEE_NAMES[kind];
  return {
    id: randomUUID(),
    kind,
    uid: `${n.login}@${accountName}`,
    email: `${n.login}@${accountName}.example`,
    firstName: n.first,
    lastName: n.last,
    permissions: permissionsFor(kind),
  };
}

function emptyState(): SimState {
  return { version: 1, accounts: {}, tokens: {}, contextKeys: {}, usedJtis: {} };
}

export class SimStore {
  state: SimState;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file?: string) {
    this.state = emptyState();
    if (file && existsSync(file)) {
      const loaded = JSON.parse(readFileSync(file, 'utf8')) as SimState;
      if (loaded.version === 1) this.state = loaded;
    }
  }

  /** Coalesces bursts of writes into one file write. */
  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 50);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.file) return;
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  reset(): void {
    this.state = emptyState();
    this.changed();
  }

  account(id: string): AccountRec | undefined {
    return this.state.accounts[id];
  }

  accounts(): AccountRec[] {
    return Object.values(this.state.accounts);
  }

  createAccount(name: string): AccountRec {
    const id = randomUUID();
    const created = mskNow();
    const account: AccountRec = {
      id,
      name,
      created,
      employees: {
        admin: makeEmployee('admin', name),
        clerk: makeEmployee('clerk', name),
        'clerk-readonly': makeEmployee('clerk-readonly', name),
        'clerk-nosupply': makeEmployee('clerk-nosupply', name),
      },
      entities: {},
      states: [],
      webhooks: [],
      auditContexts: [],
      auditEvents: [],
      counters: {},
      scenarios: [],
      installation: {
        status: 'NotInstalled',
        tariff: {
          tariffId: randomUUID(),
          tariffName: 'Базовый',
          trial: true,
          expiryMoment: '',
        },
        history: [],
      },
    };
    this.state.accounts[id] = account;
    // A fresh MoySklad account comes with a legal entity and a main warehouse.
    this.insert(account, 'organization', { name: 'ООО «Ромашка»', externalCode: randomUUID().slice(0, 22) });
    this.insert(account, 'store', { name: 'Основной склад', externalCode: randomUUID().slice(0, 22) });
    this.changed();
    return account;
  }

  insert(account: AccountRec, type: EntityType, fields: Record<string, unknown>, positions?: EntityRec['positions']): EntityRec {
    const now = mskNow();
    const rec: EntityRec = { id: randomUUID(), type, created: now, updated: now, fields };
    if (positions) rec.positions = positions;
    account.entities[rec.id] = rec;
    this.changed();
    return rec;
  }

  get(account: AccountRec, type: EntityType, id: string): EntityRec | undefined {
    const rec = account.entities[id];
    return rec && rec.type === type ? rec : undefined;
  }

  /** Any assortment-like entity regardless of its type (positions may point at any of them). */
  getAny(account: AccountRec, id: string): EntityRec | undefined {
    return account.entities[id];
  }

  list(account: AccountRec, type: EntityType): EntityRec[] {
    return Object.values(account.entities).filter((e) => e.type === type);
  }

  remove(account: AccountRec, id: string): void {
    delete account.entities[id];
    this.changed();
  }

  /** MoySklad numbers documents per type as zero-padded 5-digit names: 00001, 00002, ... */
  nextName(account: AccountRec, type: string): string {
    const n = (account.counters[type] ?? 0) + 1;
    account.counters[type] = n;
    return String(n).padStart(5, '0');
  }

  accountByToken(token: string): AccountRec | undefined {
    const t = this.state.tokens[token];
    return t ? this.account(t.accountId) : undefined;
  }
}
