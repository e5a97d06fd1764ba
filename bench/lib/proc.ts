/**
 * Process figures from /proc (Linux): the process tree under a child we started, peak resident set
 * (VmHWM) and CPU time per process. Reading /proc is passive; nothing here signals a process.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpuSec: number;
  /** cutime + cstime: exited children's CPU, seconds. */
  childrenCpuSec: number;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] = state (field 3); ppid = field 4; utime = 14; stime = 15
    const ppid = Number(fields[1]);
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    // cutime + cstime (fields 16, 17): CPU of children that have exited and been waited for.
    const childrenCpuSec = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
    return { pid, ppid, comm, cpuSec, childrenCpuSec };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** The process and all its descendants (alive now). */
export function processTree(rootPid: number): ProcInfo[] {
  const all = allProcesses();
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return [];
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}

/** A `kB` field of /proc/<pid>/status in MB, undefined when the process is gone. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of a process in MB (VmHWM), undefined when it is gone. */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM');

/** Current resident set size of a process in MB (VmRSS). */
export const rssMb = (pid: number) => statusMb(pid, 'VmRSS');

/** The process of the tree with the largest peak (the one doing the work, not a launcher). */
export function mainProcess(rootPid: number): number {
  let best = rootPid;
  let bestPeak = -1;
  for (const p of processTree(rootPid)) {
    const peak = peakRssMb(p.pid) ?? 0;
    if (peak > bestPeak) {
      best = p.pid;
      bestPeak = peak;
    }
  }
  return best;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

export interface TreeRss {
  /** Largest VmHWM in the tree (the process doing the work). */
  peakRssMb: number;
  processes: Array<{ pid: number; comm: string; command: string; peakRssMb: number }>;
}

/** Peak RSS of every process in the tree under rootPid (a wrapper such as tsx's CLI is listed too). */
export function treeRss(rootPid: number): TreeRss {
  const processes = processTree(rootPid).map((p) => ({
    pid: p.pid,
    comm: p.comm,
    command: cmdline(p.pid).slice(0, 160),
    peakRssMb: peakRssMb(p.pid) ?? 0,
  }));
  return { peakRssMb: Math.max(0, ...processes.map((p) => p.peakRssMb)), processes };
}

/** CPU seconds used so far by the tree under rootPid. */
export function treeCpuSec(rootPid: number): number {
  return processTree(rootPid).reduce((sum, p) => sum + p.cpuSec, 0);
}

/** CPU seconds used so far by every process named `postgres` on this machine (the local server). */
/**
 * CPU seconds of the PostgreSQL server: its live processes plus the backends that have exited (counted
 * in the postmaster's children time), so that a connection closed during a window is not subtracted.
 */
export function postgresCpuSec(): number {
  const postgres = allProcesses().filter((p) => p.comm === 'postgres');
  const pids = new Set(postgres.map((p) => p.pid));
  const postmasters = postgres.filter((p) => !pids.has(p.ppid));
  return postgres.reduce((sum, p) => sum + p.cpuSec, 0) + postmasters.reduce((sum, p) => sum + p.childrenCpuSec, 0);
}

/** CPU seconds of this process. */
export function selfCpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
