/**
 * A scenario, normalized: the decoded form of a scenario file (SCENARIO-FORMAT.md) with
 * every size and address a number of bytes, every default filled in and every
 * reference resolved. This is what the harness builds a machine and a request from.
 *
 * Not a kernel structure. The mapping kinds name the VMA types GUP treats differently
 * (anonymous private/shared, page cache that needs dirty tracking, shmem, hugetlbfs,
 * fsdax, VM_PFNMAP); the folio orders allowed per kind follow the kernel's (see
 * ORDERS_BY_KIND in mapping-checks.ts).
 */
import type { Placement } from '../mm/alloc.js';
import type { ZoneName } from '../mm/machine.js';

/** The kinds of mapping a scenario can create. */
export const MAPPING_KINDS = [
  'anon-private',
  'anon-shared',
  'file',
  'shmem',
  'hugetlb-2m',
  'hugetlb-1g',
  'fsdax',
  'pfnmap',
] as const;
/**
 * `anon-private`: MAP_PRIVATE|MAP_ANONYMOUS. `anon-shared`: MAP_SHARED|MAP_ANONYMOUS
 * (shmem-backed). `file`: MAP_SHARED of a file on an ext4-like file system, which needs
 * dirty tracking (vma_needs_dirty_tracking). `shmem`: a memfd / tmpfs file. `hugetlb-2m`,
 * `hugetlb-1g`: hugetlbfs with 2 MiB or 1 GiB pages. `fsdax`: a DAX file. `pfnmap`:
 * VM_IO|VM_PFNMAP (remap_pfn_range), which GUP refuses.
 */
export type MappingKind = (typeof MAPPING_KINDS)[number];

// The zones a mapping's folios can come from, and the allocator's placements.
export { ZONE_NAMES } from '../mm/machine.js';
export { PLACEMENTS } from '../mm/alloc.js';

/** `unmapped`: no VMA covers the range. `unpopulated`: the VMA is there, no page is. */
export const HOLE_KINDS = ['unmapped', 'unpopulated'] as const;
export type HoleKind = (typeof HOLE_KINDS)[number];

/** How vectors are formed: one per folio run, or merged across physically contiguous folios. */
export const MERGE_POLICIES = ['folio', 'physical'] as const;
export type MergePolicy = (typeof MERGE_POLICIES)[number];

/** How a callee-allocates proposal sizes its array. */
export const SIZING_VARIANTS = ['worst-case', 'grow', 'count-first', 'chunked'] as const;
export type SizingVariant = (typeof SIZING_VARIANTS)[number];

/** The per-proposal setting names a scenario may use. */
export const PROPOSAL_SETTING_NAMES = ['chunkSize', 'merge', 'sizing'] as const;
export type ProposalSettingName = (typeof PROPOSAL_SETTING_NAMES)[number];

/** Physical memory: the machine's size and its ZONE_MOVABLE and CMA carve-outs, in bytes. */
export interface ScenarioMemory {
  readonly bytes: number;
  readonly movableBytes: number;
  readonly cmaBytes: number;
}

/** A range of a mapping, relative to its start, left unmapped or unpopulated. */
export interface ScenarioHole {
  /** Bytes from the mapping's start (page aligned). */
  readonly offset: number;
  /** Bytes (page aligned, > 0). */
  readonly length: number;
  readonly kind: HoleKind;
}

/** One folio of an exact layout. */
export interface ExactFolio {
  /** Head PFN (aligned to the order). */
  readonly pfn: number;
  readonly order: number;
  /** Mapped by one PMD leaf (order PMD_ORDER, PMD-aligned virtual address, no hole over it). */
  readonly pmd: boolean;
  /** Bytes from the mapping's start where the folio's first page is mapped. */
  readonly offset: number;
}

/** Folios given one by one, laid end to end from the mapping's start. */
export interface ExactFolioLayout {
  readonly kind: 'exact';
  readonly folios: readonly ExactFolio[];
}

/** A folio order and its relative weight in a distribution. */
export interface OrderWeight {
  readonly order: number;
  readonly weight: number;
}

/**
 * Folios drawn from the scenario's seed: walking the populated ranges in address
 * order, each folio's order is drawn by weight among the orders that fit (naturally
 * aligned in virtual address and inside the range); when none fits, order 0.
 */
export interface DistributionLayout {
  readonly kind: 'distribution';
  /** Sorted by order, no order twice. */
  readonly orders: readonly OrderWeight[];
  readonly placement: Placement;
  /** PMD_ORDER folios at PMD-aligned addresses are PMD-mapped (else PTE-mapped). */
  readonly pmd: boolean;
}

export type FolioLayout = ExactFolioLayout | DistributionLayout;

/** One mmap()ed range. */
export interface ScenarioMapping {
  readonly kind: MappingKind;
  /** PROT_* bits (protection.ts). */
  readonly prot: number;
  /** Page-aligned start address (huge-page aligned for hugetlb). */
  readonly start: number;
  /** Bytes (page aligned; huge-page aligned for hugetlb). */
  readonly length: number;
  /** Where a distribution's folios are allocated (exact folios lie where their PFNs say). */
  readonly zone: ZoneName;
  /** False: nothing is present before the pin; GUP faults pages in. */
  readonly populate: boolean;
  /** The layout; null exactly when `populate` is false. */
  readonly folios: FolioLayout | null;
  /** Sorted by offset, non-overlapping. */
  readonly holes: readonly ScenarioHole[];
}

/** The pin request every proposal serves. */
export interface ScenarioRequest {
  /** User virtual address (any byte alignment). */
  readonly start: number;
  /** Bytes (> 0). */
  readonly length: number;
  /** FOLL_* bits, caller-visible flags only (no FOLL_PIN, FOLL_GET or internal ones). */
  readonly flags: number;
  /** Pin-and-release rounds per measurement. */
  readonly repeats: number;
}

/** Settings one proposal reads; absent ones take the proposal's defaults. */
export interface ProposalSettings {
  /** Entries in a caller's fixed array (caller-chunks) or in one chunk (sizing "chunked"). */
  readonly chunkSize?: number;
  readonly merge?: MergePolicy;
  readonly sizing?: SizingVariant;
}

/** A whole scenario. */
export interface Scenario {
  /** Lower-case name, used on the command line and in file names. */
  readonly name: string;
  readonly description: string;
  /** Seed for folio distributions and scattered placement (32-bit). */
  readonly seed: number;
  readonly memory: ScenarioMemory;
  /** In file order (non-overlapping). */
  readonly mappings: readonly ScenarioMapping[];
  /** fork() once after populating and before the first pin; the child lives until the end. */
  readonly forkBeforePin: boolean;
  readonly request: ScenarioRequest;
  /** Keyed by proposal name. */
  readonly proposals: Readonly<Record<string, ProposalSettings>>;
  /** Where it came from: a file path or "built-in". */
  readonly source: string;
}
