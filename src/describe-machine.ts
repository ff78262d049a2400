/**
 * The machine's self-description: what memory, zones, folio sizes, flags and counters
 * the model offers. Printed by `folio-gup compare` until the comparison itself exists.
 */
import { DEFAULT_MEMORY_BYTES, createMachine, type MachineOptions } from './mm/machine.js';
import { MAX_FOLIO_ORDER, PAGE_SIZE, GUP_PIN_COUNTING_BIAS, TASK_SIZE_MAX } from './mm/constants.js';
import { FOLL_FLAGS, INTERNAL_GUP_FLAGS } from './mm/foll-flags.js';
import { COST_FIELDS } from './mm/cost.js';
import { vmstat } from './mm/vmstat.js';

export interface MachineDescription {
  readonly memoryBytes: number;
  readonly pageSize: number;
  readonly zones: { readonly name: string; readonly firstPfn: number; readonly pages: number }[];
  readonly zeroPfn: number;
  readonly folioOrders: readonly [number, number];
  readonly gupPinCountingBias: number;
  readonly taskSizeMax: string;
  readonly follFlags: Record<string, string>;
  readonly costCounters: readonly string[];
  readonly vmstat: Record<string, number>;
}

/** Describes a freshly created machine with `opts`. */
export function describeMachine(opts: MachineOptions = {}): MachineDescription {
  const m = createMachine(opts);
  const follFlags: Record<string, string> = {};
  for (const [name, bit] of Object.entries(FOLL_FLAGS))
    follFlags[name] = `0x${bit.toString(16)}${(bit & INTERNAL_GUP_FLAGS) !== 0 ? ' (internal)' : ''}`;
  return {
    memoryBytes: opts.memoryBytes ?? DEFAULT_MEMORY_BYTES,
    pageSize: PAGE_SIZE,
    zones: m.zones.map((z) => ({ name: z.name, firstPfn: z.start, pages: z.end - z.start })),
    zeroPfn: m.zeroPfn,
    folioOrders: [0, MAX_FOLIO_ORDER],
    gupPinCountingBias: GUP_PIN_COUNTING_BIAS,
    taskSizeMax: `0x${TASK_SIZE_MAX.toString(16)}`,
    follFlags,
    costCounters: COST_FIELDS,
    vmstat: { ...vmstat(m) },
  };
}

/** The description as plain text, at most 80 columns wide. */
export function machineDescriptionText(d: MachineDescription): string {
  const lines: string[] = [];
  lines.push(`memory        ${d.memoryBytes / 2 ** 20} MiB in ${d.pageSize}-byte pages`);
  for (const z of d.zones) lines.push(`zone ${z.name.padEnd(8)} first pfn ${String(z.firstPfn).padStart(8)}, ${z.pages} pages`);
  lines.push(`zero page     pfn ${d.zeroPfn}`);
  lines.push(`folio orders  ${d.folioOrders[0]}..${d.folioOrders[1]} (4 KiB .. 1 GiB)`);
  lines.push(`pin bias      ${d.gupPinCountingBias} (order-0 folios; large folios keep _pincount)`);
  lines.push(`TASK_SIZE_MAX ${d.taskSizeMax}`);
  lines.push('FOLL flags:');
  for (const [name, v] of Object.entries(d.follFlags)) lines.push(`  ${name.padEnd(22)} ${v}`);
  lines.push('cost counters:');
  for (let i = 0; i < d.costCounters.length; i += 3) lines.push(`  ${d.costCounters.slice(i, i + 3).map((c) => c.padEnd(22)).join(' ')}`.trimEnd());
  return lines.join('\n');
}
