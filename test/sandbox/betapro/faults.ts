/**
 * Fault injection for FBox calls (never for the control API) and per-partner call statistics that
 * benchmarks use to count what the product asked of BetaPRO.
 */
import type { FaultSpec } from './schemas';

export type FaultMode = FaultSpec['mode'];

export class Faults {
  private spec: FaultSpec = { mode: 'none', rate: 1 };

  constructor(private readonly random: () => number = Math.random) {}

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
  }

  current(): FaultSpec {
    return { ...this.spec };
  }

  /** Decides the fault for one request; a limited `count` runs down and then switches faults off. */
  pick(operation: string, partnerId: string | undefined): FaultMode {
    const s = this.spec;
    if (s.mode === 'none') return 'none';
    if (s.partnerId !== undefined && s.partnerId !== partnerId) return 'none';
    if (s.operations && !s.operations.includes(operation)) return 'none';
    if (this.random() >= s.rate) return 'none';
    if (s.count !== undefined) {
      s.count -= 1;
      if (s.count <= 0) this.spec = { mode: 'none', rate: 1 };
    }
    return s.mode;
  }
}

export interface PartnerStats {
  total: number;
  operations: Record<string, number>;
  /** HTTP status (or `dropped` / `timeout` for injected faults) → count. */
  outcomes: Record<string, number>;
}

export class Stats {
  private since = new Date().toISOString();
  private partners: Record<string, PartnerStats> = {};
  private total = 0;

  record(partnerId: string, operation: string): (outcome: string | number) => void {
    this.total += 1;
    const p = (this.partners[partnerId] ??= { total: 0, operations: {}, outcomes: {} });
    p.total += 1;
    p.operations[operation] = (p.operations[operation] ?? 0) + 1;
    let done = false;
    return (outcome) => {
      if (done) return;
      done = true;
      p.outcomes[String(outcome)] = (p.outcomes[String(outcome)] ?? 0) + 1;
    };
  }

  snapshot() {
    return { since: this.since, total: this.total, partners: structuredClone(this.partners) };
  }

  reset(): void {
    this.since = new Date().toISOString();
    this.partners = {};
    this.total = 0;
  }
}
