/**
 * Holds the simulator's state, makes requests atomic (BetaPRO rolls back everything a failed request
 * did) and persists the state to a JSON file so that a demo restart keeps its data.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ControlError } from './errors';
import {
  defaultConfig,
  defaultSettings,
  emptyData,
  type Indoc,
  type Outdoc,
  type PartnerData,
  type PartnerSettings,
  type SimData,
} from './model';
import { mskDateTime, truncateToSecond } from './time';

export interface StoreOptions {
  now?: () => Date;
  stateFile?: string;
}

export class BetaproStore {
  data: SimData;
  readonly now: () => Date;
  private readonly stateFile?: string;
  private saveTimer?: NodeJS.Timeout;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.stateFile = options.stateFile;
    this.data = this.load() ?? emptyData();
  }

  /** The current instant as BetaPRO records it: whole seconds, Moscow wall clock for display. */
  stamp(): { ms: number; text: string } {
    const at = truncateToSecond(this.now());
    return { ms: at.getTime(), text: mskDateTime(at) };
  }

  partner(partnerId: string): PartnerData | undefined {
    return Object.hasOwn(this.data.partners, partnerId) ? this.data.partners[partnerId] : undefined;
  }

  /** Creates the partner, or updates its password; settings of an existing partner are kept. */
  ensurePartner(partnerId: string, password: string, settings?: Partial<PartnerSettings>): PartnerData {
    let partner = this.partner(partnerId);
    if (!partner) {
      partner = {
        partnerId,
        password,
        settings: { ...structuredClone(this.data.config.defaults), ...structuredClone(settings ?? {}) },
        goods: {},
        eans: {},
        indocs: {},
        outdocs: {},
      };
      this.data.partners[partnerId] = partner;
    } else {
      partner.password = password;
      if (settings) partner.settings = { ...partner.settings, ...structuredClone(settings) };
    }
    this.changed();
    return partner;
  }

  /**
   * Runs `fn` all-or-nothing: on a throw the state is put back exactly as it was. With `partnerId`,
   * `fn` changes only that partner and the global counters, so only they are copied: copying the whole
   * state on every API write made each write cost as much as everything stored so far (with thousands
   * of goods and documents the simulator, not the app, became the bottleneck of a benchmark).
   */
  transaction<T>(fn: () => T, partnerId?: string): T {
    const partner = partnerId !== undefined && Object.hasOwn(this.data.partners, partnerId) ? this.data.partners[partnerId] : undefined;
    const whole = partner ? undefined : structuredClone(this.data);
    const snapshot = {
      partner: partner && structuredClone(partner),
      nextOutdocId: this.data.nextOutdocId,
      seq: this.data.seq,
    };
    try {
      const result = fn();
      this.changed();
      return result;
    } catch (error) {
      if (whole) this.data = whole;
      else {
        this.data.partners[partnerId!] = snapshot.partner!;
        this.data.nextOutdocId = snapshot.nextOutdocId;
        this.data.seq = snapshot.seq;
      }
      throw error;
    }
  }

  takeOutdocId(): number {
    return this.data.nextOutdocId++;
  }

  takeSeq(): number {
    return ++this.data.seq;
  }

  liveOutdocs(partner: PartnerData): Outdoc[] {
    return Object.values(partner.outdocs)
      .filter((o) => !o.deleted)
      .sort((a, b) => a.outdoc_id - b.outdoc_id);
  }

  /** Control-API lookup: indoc ids are per partner, so `partnerId` disambiguates when needed. */
  findIndoc(indocId: string, partnerId?: string): { partner: PartnerData; indoc: Indoc } {
    const candidates = Object.values(this.data.partners).filter(
      (p) => (partnerId === undefined || p.partnerId === partnerId) && Object.hasOwn(p.indocs, indocId),
    );
    if (candidates.length === 0) throw new ControlError(404, `indoc ${indocId} not found${partnerId ? ` for partner ${partnerId}` : ''}`);
    if (candidates.length > 1) {
      throw new ControlError(409, `indoc ${indocId} exists for partners ${candidates.map((p) => p.partnerId).join(', ')}: add ?partner=`);
    }
    return { partner: candidates[0], indoc: candidates[0].indocs[indocId] };
  }

  findOutdoc(outdocId: number): { partner: PartnerData; outdoc: Outdoc } {
    for (const partner of Object.values(this.data.partners)) {
      const outdoc = partner.outdocs[String(outdocId)];
      if (outdoc && !outdoc.deleted) return { partner, outdoc };
    }
    throw new ControlError(404, `outdoc ${outdocId} not found`);
  }

  /**
   * Clears documents and goods. The configuration (including options the simulator was started with)
   * stays; partners stay with their credentials unless asked otherwise, their settings back at the defaults.
   */
  reset(keepPartners = true): void {
    const partners = keepPartners ? Object.values(this.data.partners) : [];
    // Outdoc ids keep growing: BetaPRO never reuses one, and a client may remember old ids across a reset.
    const { config, nextOutdocId, seq } = this.data;
    this.data = { ...emptyData(), config, nextOutdocId, seq };
    for (const p of partners) this.ensurePartner(p.partnerId, p.password);
    this.changed();
  }

  changed(): void {
    if (!this.stateFile || this.saveTimer) return;
    // Coalesce bursts of requests into one write; close() flushes whatever is pending.
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.stateFile) return;
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.stateFile);
  }

  private load(): SimData | undefined {
    if (!this.stateFile || !existsSync(this.stateFile)) return undefined;
    const loaded = JSON.parse(readFileSync(this.stateFile, 'utf8')) as SimData;
    if (loaded.version !== 1) throw new Error(`${this.stateFile}: unknown simulator state version ${String(loaded.version)}`);
    // Files written by an older simulator may lack newer settings: fill them from the defaults.
    const config = { ...defaultConfig(), ...loaded.config };
    config.defaults = { ...defaultSettings(), ...config.defaults };
    for (const p of Object.values(loaded.partners)) p.settings = { ...defaultSettings(), ...p.settings };
    return { ...emptyData(), ...loaded, config };
  }
}
