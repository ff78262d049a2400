// The scenario loader (src/harness/scenario-loader.ts): valid files decode to the
// normalized Scenario worked out by hand; each class of bad input gives the expected
// one-line message naming its JSON path. Kernel rules cited where a check encodes one.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeScenario, loadScenarioFile, MAX_SCENARIO_FILE_BYTES, parseScenario } from '../../src/harness/scenario-loader.js';
import type { Scenario } from '../../src/harness/scenario.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test inputs are arbitrary JSON
type Json = Record<string, any>;

/** A small valid scenario: 8 MiB of anonymous memory at 0x7f0000000000, a 4 KiB pin. */
function base(): Json {
  return {
    name: 't',
    mappings: [{ kind: 'anon-private', address: '0x7f0000000000', length: '8MiB' }],
    request: { start: 'mapping[0]', length: '4KiB' },
  };
}

function errorsOf(mutate: (s: Json) => void): string[] {
  const s = base();
  mutate(s);
  const r = parseScenario(JSON.stringify(s), 't.json');
  if (E.isRight(r)) throw new Error('expected the scenario to be refused');
  return r.left;
}

function scenarioOf(text: string): Scenario {
  const r = parseScenario(text, 't.json');
  if (E.isLeft(r)) throw new Error(r.left.join('\n'));
  return r.right;
}

// 0x7f0000000000 = 127 * 2^40 = 139637976727552.
const MAP0 = 139637976727552;

describe('valid scenarios', () => {
  it('fills in every default (seed 1, 2 GiB memory, rw, normal zone, populated order-0, one repeat)', () => {
    expect(scenarioOf(JSON.stringify(base()))).toEqual({
      name: 't',
      description: '',
      seed: 1,
      memory: { bytes: 2147483648, movableBytes: 0, cmaBytes: 0 },
      mappings: [
        {
          kind: 'anon-private',
          prot: 3, // PROT_READ | PROT_WRITE
          start: MAP0,
          length: 8388608,
          zone: 'normal',
          populate: true,
          folios: { kind: 'distribution', orders: [{ order: 0, weight: 1 }], placement: 'adjacent', pmd: true },
          holes: [],
        },
      ],
      forkBeforePin: false,
      request: { start: MAP0, length: 4096, flags: 0, repeats: 1 },
      proposals: {},
      source: 't.json',
    });
  });

  it('loads scenarios/thp-1g.json: FOLL_WRITE|FOLL_LONGTERM = 0x1|0x100, 1 GiB of order-9 folios', () => {
    const r = loadScenarioFile('scenarios/thp-1g.json');
    expect(E.isRight(r)).toBe(true);
    const s = (r as E.Right<Scenario>).right;
    expect(s.request).toEqual({ start: MAP0, length: 1073741824, flags: 0x101, repeats: 1 });
    expect(s.mappings[0]!.folios).toEqual({
      kind: 'distribution',
      orders: [{ order: 9, weight: 1 }],
      placement: 'adjacent',
      pmd: true,
    });
    expect(s.proposals).toEqual({ 'callee-allocates': { sizing: 'grow' }, 'caller-chunks': { chunkSize: 16 } });
  });

  it('loads scenarios/fragmented-mixed.json: start mapping[0]+0x200, orders sorted', () => {
    const r = loadScenarioFile('scenarios/fragmented-mixed.json');
    const s = (r as E.Right<Scenario>).right;
    expect(s.request).toEqual({ start: MAP0 + 0x200, length: 63 * 1048576, flags: 0, repeats: 3 });
    expect(s.mappings[0]!.holes).toEqual([{ offset: 33554432, length: 65536, kind: 'unpopulated' }]);
    expect(s.seed).toBe(42);
  });

  it('loads scenarios/fork-exact-readonly.json: exact folios get their offsets, the THP its PMD', () => {
    const r = loadScenarioFile('scenarios/fork-exact-readonly.json');
    const s = (r as E.Right<Scenario>).right;
    expect(s.forkBeforePin).toBe(true);
    // 2 MiB THP at 0, 64 KiB mTHPs at 0x200000 and 0x210000, 4 KiB pages from 0x220000.
    expect(s.mappings[0]!.folios).toEqual({
      kind: 'exact',
      folios: [
        { pfn: 0x200, order: 9, pmd: true, offset: 0 },
        { pfn: 0x410, order: 4, pmd: false, offset: 0x200000 },
        { pfn: 0x420, order: 4, pmd: false, offset: 0x210000 },
        { pfn: 0x500, order: 0, pmd: false, offset: 0x220000 },
        { pfn: 0x502, order: 0, pmd: false, offset: 0x221000 },
        { pfn: 0x504, order: 0, pmd: false, offset: 0x222000 },
        { pfn: 0x506, order: 0, pmd: false, offset: 0x223000 },
      ],
    });
    expect(s.mappings[1]).toMatchObject({ kind: 'shmem', zone: 'movable', prot: 3 });
    expect(s.request).toEqual({ start: MAP0 + 0x1ff000, length: 0x25000, flags: 0, repeats: 1 });
  });

  it('an order-9 folio is PMD-mapped by default only at a 2 MiB-aligned address', () => {
    const s = base();
    s.mappings[0].length = '0x401000';
    s.mappings[0].folios = [
      { pfn: 1, order: 0 },
      { pfn: 512, order: 9 },
      { pfn: 1024, order: 9 },
    ];
    const folios = scenarioOf(JSON.stringify(s)).mappings[0]!.folios;
    // offset 0x1000 is not 2 MiB aligned; 0x201000 neither.
    expect(folios).toEqual({
      kind: 'exact',
      folios: [
        { pfn: 1, order: 0, pmd: false, offset: 0 },
        { pfn: 512, order: 9, pmd: false, offset: 0x1000 },
        { pfn: 1024, order: 9, pmd: false, offset: 0x201000 },
      ],
    });
  });

  it('accepts protections as shorthands, PROT_* strings and lists', () => {
    const prots = ['ro', 'none', 'PROT_READ|PROT_EXEC', ['PROT_WRITE'], 'PROT_NONE'].map((p) => {
      const s = base();
      s.mappings[0].protection = p;
      return scenarioOf(JSON.stringify(s)).mappings[0]!.prot;
    });
    expect(prots).toEqual([1, 0, 5, 2, 0]);
  });

  it('resolves mapping[i]-offset and absolute starts', () => {
    const s = base();
    s.request.start = 'mapping[0] - 4KiB';
    expect(scenarioOf(JSON.stringify(s)).request.start).toBe(MAP0 - 4096);
    s.request.start = 139637976727553;
    expect(scenarioOf(JSON.stringify(s)).request.start).toBe(MAP0 + 1);
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(scenarioOf(`\ufeff${JSON.stringify(base())}`).name).toBe('t');
  });

  it('checks proposal names and settings against the registry when told it', () => {
    const s = base();
    s.proposals = { 'caller-chunks': { chunkSize: 8 } };
    const known = { 'caller-chunks': ['chunkSize', 'merge'], overallocate: ['merge'] } as const;
    const ok = parseScenario(JSON.stringify(s), 't.json', { proposals: known });
    expect(E.isRight(ok)).toBe(true);
    s.proposals = { 'caller-chunk': {}, overallocate: { chunkSize: 8 } };
    expect(parseScenario(JSON.stringify(s), 't.json', { proposals: known })).toEqual(
      E.left([
        't.json: $.proposals["caller-chunk"]: expected a registered proposal (caller-chunks, overallocate), found "caller-chunk" (did you mean "caller-chunks"?)',
        't.json: $.proposals.overallocate.chunkSize: expected only settings overallocate reads (merge), found chunkSize',
      ]),
    );
  });
});

describe('bad input: one line per problem, naming the JSON path', () => {
  it.each<[string, (s: Json) => void, string[]]>([
    ['a missing required key', (s) => delete s.request, [
      't.json: $.request: missing required key (expected a request {start, length, flags?, repeats?})',
    ]],
    ['a misspelt key (with a hint)', (s) => { s.mapings = s.mappings; delete s.mappings; }, [
      't.json: $.mapings: unknown key (did you mean "mappings"?)',
      't.json: $.mappings: missing required key (expected a list of mappings)',
    ]],
    ['an unknown nested key', (s) => { s.mappings[0].colour = 'red'; }, [
      't.json: $.mappings[0].colour: unknown key (allowed here: kind, address, length, protection, zone, populate, folios, holes)',
    ]],
    ['an ambiguous size unit', (s) => { s.mappings[0].length = '4 KB'; }, [
      't.json: $.mappings[0].length: expected a size ("4096", "4KiB", "2MiB", "1GiB" or "0x1000"): "4 KB": unknown unit "KB" (use B, KiB, MiB, GiB, TiB or K, M, G, T); "KB" is ambiguous (1000 or 1024?): write KiB',
    ]],
    ['a length that is not a page multiple', (s) => { s.mappings[0].length = 5000; }, [
      't.json: $.mappings[0].length: expected a multiple of PAGE_SIZE (4KiB), found 5000',
    ]],
    ['an unaligned address', (s) => { s.mappings[0].address = '0x7f0000000100'; }, [
      't.json: $.mappings[0].address: expected a multiple of PAGE_SIZE (0x1000), found "0x7f0000000100"',
    ]],
    // TASK_SIZE_MAX = 0x7ffffffff000; a mapping needs a page below it.
    ['an address above user space', (s) => { s.mappings[0].address = '0x800000000000'; }, [
      't.json: $.mappings[0].address: expected at most 0x7fffffffe000, found "0x800000000000"',
    ]],
    ['a mapping ending past TASK_SIZE_MAX', (s) => { s.mappings[0].address = '0x7fffffffe000'; }, [
      // 0x7fffffffe000 + 8 MiB (0x800000) = 0x8000007fe000
      't.json: $.mappings[0].length: expected the mapping to end by TASK_SIZE_MAX (0x7ffffffff000), found it ending at 0x8000007fe000',
    ]],
    ['an unknown mapping kind (with a hint)', (s) => { s.mappings[0].kind = 'anon_private'; }, [
      't.json: $.mappings[0].kind: expected one of "anon-private", "anon-shared", "file", "shmem", "hugetlb-2m", "hugetlb-1g", "fsdax", "pfnmap", found "anon_private" (did you mean "anon-private"?)',
    ]],
    ['a bad protection', (s) => { s.mappings[0].protection = 'PROT_READ|PROT_SEM'; }, [
      't.json: $.mappings[0].protection: expected "rw", "ro", "none", or PROT_* names ("PROT_READ|PROT_WRITE" or a list of them), found "PROT_READ|PROT_SEM" ("PROT_SEM" is not one of PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC)',
    ]],
    // mm/internal.h INTERNAL_GUP_FLAGS; is_valid_gup_args() refuses FOLL_GET with FOLL_PIN.
    ['bad FOLL_* flags', (s) => { s.request.flags = ['FOLL_WRTIE', 'FOLL_PIN', 'FOLL_GET', 'FOLL_LONGTERM', 'FOLL_LONGTERM', 7, 'FOLL_TOUCH']; }, [
      't.json: $.request.flags[0]: expected a FOLL_* flag name, found "FOLL_WRTIE" (did you mean "FOLL_WRITE"?)',
      't.json: $.request.flags[1]: FOLL_PIN is internal to mm/gup.c (INTERNAL_GUP_FLAGS); callers never pass it (every proposal pins, so it is implied)',
      't.json: $.request.flags[2]: FOLL_GET cannot be combined with a pin (is_valid_gup_args() fails with -EINVAL)',
      't.json: $.request.flags[4]: FOLL_LONGTERM is listed twice',
      't.json: $.request.flags[5]: expected a FOLL_* flag name, found 7',
      't.json: $.request.flags[6]: FOLL_TOUCH is internal to mm/gup.c (INTERNAL_GUP_FLAGS); callers never pass it',
    ]],
    ['flags that are not a list', (s) => { s.request.flags = 'FOLL_WRITE'; }, [
      't.json: $.request.flags: expected a list of FOLL_* names like ["FOLL_WRITE"], found "FOLL_WRITE"',
    ]],
    ['a start that is neither address nor mapping reference', (s) => { s.request.start = 'mappings[0]'; }, [
      't.json: $.request.start: expected an address ("0x7f0000001000") or "mapping[i]", "mapping[i]+offset", "mapping[i]-offset", found "mappings[0]"',
    ]],
    ['a start naming a mapping that does not exist', (s) => { s.request.start = 'mapping[2]+4KiB'; }, [
      't.json: $.request.start: expected a mapping index below 1 (the number of mappings), found mapping[2]',
    ]],
    ['a start below address 0', (s) => { s.request.start = 'mapping[0]-0x7f0000001000'; }, [
      't.json: $.request.start: expected an address at or above 0, found -4096',
    ]],
    ['a request ending past TASK_SIZE_MAX', (s) => { s.request.start = '0x7ffffffff000'; s.request.length = '8KiB'; }, [
      't.json: $.request.length: expected the request to end by TASK_SIZE_MAX (0x7ffffffff000), found it ending at 0x800000001000',
    ]],
    ['a hugetlb mapping not in whole huge pages', (s) => { s.mappings[0].kind = 'hugetlb-1g'; }, [
      't.json: $.mappings[0].length: expected a multiple of 1GiB for hugetlb-1g (its huge page size), found 8MiB',
    ]],
    ['overlapping mappings', (s) => { s.mappings.push({ kind: 'shmem', address: '0x7f0000400000', length: '8MiB' }); }, [
      't.json: $.mappings[1].address: expected mappings apart, found [0x7f0000400000, 0x7f0000c00000) overlapping $.mappings[0] [0x7f0000000000, 0x7f0000800000)',
    ]],
    ['holes overlapping or outside the mapping', (s) => {
      s.mappings[0].holes = [{ offset: '4MiB', length: '1MiB' }, { offset: '4MiB', length: '8KiB', kind: 'unpopulated' }, { offset: '8MiB', length: '4KiB' }];
    }, [
      't.json: $.mappings[0].holes[1]: expected holes apart, found this one overlapping $.mappings[0].holes[0]',
      // 8 MiB + 4 KiB = 8196 KiB
      't.json: $.mappings[0].holes[2]: expected a hole inside the mapping (8MiB long), found one ending at offset 8196KiB',
    ]],
    ['exact folios breaking folio rules', (s) => {
      s.mappings[0].folios = [{ pfn: '0x201', order: 9 }, { pfn: 0, order: 0 }, { pfn: 262144, order: 0 }, { pfn: 4096, order: 1 }, { pfn: 8192, order: 4, pmd: true }];
    }, [
      't.json: $.mappings[0].folios[0].pfn: expected a multiple of 512 (folios are naturally aligned; this one is order 9), found 0x201',
      't.json: $.mappings[0].folios[1].pfn: expected a PFN above 0, found 0 (PFN 0 is the shared zero page)',
      // 2 GiB of memory is 524288 pages, so PFN 262144 is fine; order 1 is not for anon (THP_ORDERS_ALL_ANON).
      't.json: $.mappings[0].folios[3].order: expected an order allowed in anon-private mappings (0, 2-9; THP_ORDERS_ALL_ANON excludes order 1), found 1',
      // after 2 MiB + 4 KiB + 4 KiB + 8 KiB the fifth folio sits at 0x7f0000204000
      't.json: $.mappings[0].folios[4].pmd: expected false: a PMD leaf maps an order-9 folio at a 2MiB-aligned address with no hole over it, and this is order 4 at 0x7f0000204000',
      // 2048 + 4 + 4 + 8 + 64 = 2128 KiB
      "t.json: $.mappings[0].folios: expected folios covering the mapping's length (8MiB), found 2128KiB of folios",
    ]],
    ['an exact folio past the end of memory', (s) => {
      s.memory = { size: '16MiB' };
      s.mappings[0].length = '2MiB';
      s.mappings[0].folios = [{ pfn: 4096, order: 9 }];
    }, [
      't.json: $.mappings[0].folios[0].pfn: expected the folio to end inside memory (4096 pages, $.memory.size), found PFNs 0x1000-0x11ff',
    ]],
    ['exact folios overlapping in physical memory', (s) => {
      s.mappings[0].folios = [{ pfn: 512, order: 9 }, { pfn: 1024, order: 9 }, { pfn: 1536, order: 9 }, { pfn: 1024, order: 9 }];
    }, [
      't.json: $.mappings[0].folios[3].pfn: expected folios apart in physical memory, found PFN 0x400 inside the folio at $.mappings[0].folios[1]',
    ]],
    ['a distribution with a duplicate order', (s) => {
      s.mappings[0].folios = { orders: [{ order: 4, weight: 1 }, { order: 4, weight: 2 }] };
    }, ['t.json: $.mappings[0].folios.orders[1].order: order 4 is listed twice']],
    ['a hugetlb distribution with small orders and PTE mapping', (s) => {
      s.mappings[0].kind = 'hugetlb-2m';
      s.mappings[0].folios = { orders: [{ order: 0, weight: 1 }], pmd: false };
    }, [
      't.json: $.mappings[0].folios.orders[0].order: expected an order allowed in hugetlb-2m mappings (9; a 2 MiB hugetlb folio is order 9), found 0',
      't.json: $.mappings[0].folios.pmd: expected true or no "pmd" key: hugetlb folios are always mapped by one huge leaf',
    ]],
    ['folios on an unpopulated mapping', (s) => {
      s.mappings[0].populate = false;
      s.mappings[0].folios = { orders: [{ order: 0, weight: 1 }] };
      s.mappings[0].holes = [{ offset: 0, length: 4096, kind: 'unpopulated' }];
    }, [
      't.json: $.mappings[0].holes[0].kind: expected "unmapped": the mapping has populate false, so every page is unpopulated already',
      't.json: $.mappings[0].folios: expected no folios when populate is false (nothing is present before the pin; faults choose the folios)',
    ]],
    ['a folio layout of the wrong type', (s) => { s.mappings[0].folios = 'thp'; }, [
      't.json: $.mappings[0].folios: expected a list of folios [{pfn, order}, ...] or a distribution {orders, placement?, pmd?}, found "thp"',
    ]],
    ['an empty zone', (s) => { s.mappings[0].zone = 'cma'; }, [
      't.json: $.mappings[0].zone: expected a zone with memory, found zone cma empty (give it memory in $.memory.cma)',
    ]],
    // 4 MiB = 1024 pages, one of them the zero page: 4092 KiB free.
    ['more populated than memory', (s) => { s.memory = { size: '4MiB' }; }, [
      't.json: $.memory: expected room in zone normal for the 8MiB the mappings populate there, found 4092KiB free',
    ]],
    ['no room left for ZONE_NORMAL', (s) => { s.memory = { size: '4MiB', movable: '2MiB', cma: '2MiB' }; }, [
      't.json: $.memory: expected movable + cma below size so ZONE_NORMAL has memory, found 2MiB + 2MiB of 4MiB',
    ]],
    ['bad proposal settings', (s) => {
      s.proposals = { 'Bad Name': {}, 'caller-chunks': { chunkSize: 0, merge: 'pages', sizing: 'grow', extra: 1 } };
    }, [
      't.json: $.proposals["Bad Name"]: expected a proposal name (lower case letters, digits and "-"), found this key',
      't.json: $.proposals["caller-chunks"].extra: unknown key (allowed here: chunkSize, merge, sizing)',
      't.json: $.proposals["caller-chunks"].chunkSize: expected an integer from 1 to 1048576, found 0',
      't.json: $.proposals["caller-chunks"].merge: expected one of "folio", "physical", found "pages"',
    ]],
    ['values of the wrong type', (s) => {
      s.seed = '1';
      s.request.repeats = 0;
      s.mappings[0].populate = 'yes';
      s.description = 5;
      s.name = 'Bad Name';
    }, [
      't.json: $.name: expected a name of lower-case letters, digits, ".", "_" or "-" (at most 64), found "Bad Name"',
      't.json: $.mappings[0].populate: expected true or false, found "yes"',
      't.json: $.request.repeats: expected an integer from 1 to 1000000, found 0',
      't.json: $.description: expected a description of at most 200 characters, found 5',
      't.json: $.seed: expected an integer from 0 to 4294967295, found "1"',
    ]],
  ])('%s', (_, mutate, lines) => {
    expect(errorsOf(mutate)).toEqual(lines);
  });

  it('a document that is not an object', () => {
    expect(parseScenario('[]', 't.json')).toEqual(
      E.left(['t.json: $: expected a scenario {name, mappings, request, ...}, found an array of 0 items']),
    );
    expect(decodeScenario(undefined, 'v')).toEqual(
      E.left(['v: $: expected a scenario {name, mappings, request, ...}, found nothing']),
    );
  });

  it('invalid JSON, with line and column when V8 gives a position', () => {
    expect(parseScenario('', 't.json')).toEqual(E.left(['t.json: $: expected a JSON object, found an empty file']));
    // '{\n  "name": "x",\n  oops\n}': position 19 is the "o" of oops, line 3 column 3.
    const r = parseScenario('{\n  "name": "x",\n  oops\n}', 't.json');
    expect(E.isLeft(r) && r.left.length === 1 && r.left[0]!.startsWith('t.json: $: invalid JSON (line 3, column 3): ')).toBe(true);
    const q = parseScenario('{"name": }', 't.json');
    expect(E.isLeft(q) && q.left[0]!.startsWith('t.json: $: invalid JSON')).toBe(true);
  });

  it('caps the list at 50 lines and says how many more there were', () => {
    const s = base();
    s.mappings = Array.from({ length: 60 }, (_, i) => ({ kind: 'bogus', address: `0x${(0x7f0000000000 + i * 0x1000000).toString(16)}`, length: '4KiB' }));
    const lines = errorsOf((x) => Object.assign(x, s));
    expect(lines).toHaveLength(51);
    expect(lines[49]).toMatch(/^t\.json: \$\.mappings\[49\]\.kind: expected one of /);
    expect(lines[50]).toBe('t.json: $: 10 more problems not shown');
  });
});

describe('loadScenarioFile: file problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'folio-gup-scenarios-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file', () => {
    const path = join(dir, 'nope.json');
    expect(loadScenarioFile(path)).toEqual(E.left([`${path}: $: cannot read the file: no such file (ENOENT)`]));
  });

  it('a directory', () => {
    expect(loadScenarioFile(dir)).toEqual(E.left([`${dir}: $: expected a scenario file, found a directory`]));
  });

  it('bytes that are not UTF-8', () => {
    const path = join(dir, 'latin1.json');
    writeFileSync(path, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(loadScenarioFile(path)).toEqual(E.left([`${path}: $: expected UTF-8 text, found bytes that are not UTF-8`]));
  });

  it('a file too large to be a scenario (checked before reading)', () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_SCENARIO_FILE_BYTES + 1); // sparse: nothing is written
    expect(loadScenarioFile(path)).toEqual(
      E.left([`${path}: $: expected a file of at most 67108864 bytes, found 67108865`]),
    );
  });

  it('an empty file name', () => {
    expect(loadScenarioFile('')).toEqual(E.left([': $: expected a file name']));
  });
});
