// proposals/REPORT.md and the README tables (src/harness/report-document.ts,
// report-reading.ts) on a small comparison built by hand: the markers, which rows a
// proposal's table takes, and sentences that say what the numbers say.
import { describe, expect, it } from 'vitest';
import { renderProposalSection, renderReportDocument, replaceMeasured } from '../../src/harness/report-document.js';
import { readingBullets } from '../../src/harness/report-reading.js';
import { RESULT_SCHEMA_VERSION, type Comparison, type ProposalRun } from '../../src/harness/result.js';
import { COST_FIELDS, VmStat, type CostSnapshot } from '../../src/index.js';

function cost(partial: Partial<CostSnapshot>): CostSnapshot {
  const c = {} as CostSnapshot;
  for (const f of COST_FIELDS) c[f] = partial[f] ?? 0;
  return c;
}

function run(proposal: string, over: Partial<ProposalRun>): ProposalRun {
  return {
    proposal,
    settings: { merge: 'folio' },
    result: 2 ** 30,
    returnValues: [{ value: 1, count: 1 }],
    bvecs: 512,
    bios: 2,
    bytesAllocated: 0,
    bytesUnused: 0,
    cost: cost({ apiCalls: 1, walkRestarts: 1 }),
    pinCost: cost({ apiCalls: 1, walkRestarts: 1 }),
    vectorsDigest: '0000000000000000',
    runsDigest: '0000000000000000',
    structural: false,
    vmstatBefore: { ...new VmStat() },
    vmstatAfter: { ...new VmStat() },
    equivalent: true,
    reason: null,
    invariant: [],
    warnings: [],
    timing: { pinMeanNs: 1000, pinRme: 1, pinSamples: 10, releaseMeanNs: 100, releaseRme: 1, releaseSamples: 10 },
    ...over,
  };
}

// thp-1g: 1 GiB in 512 THPs. The page array writes 262,144 pointers (2 MiB) and takes
// twice as long as the fastest row; callee-allocates:grow allocates 8 KiB and copies 4 KiB.
const c: Comparison = {
  schemaVersion: RESULT_SCHEMA_VERSION,
  seed: null,
  tool: { name: 'folio-gup', version: 'test' },
  node: 'v20',
  scenarios: [
    {
      scenario: 'thp-1g',
      description: '',
      seed: 1,
      request: { start: 0, length: 2 ** 30, flags: 'FOLL_WRITE' },
      runs: [
        run('page-array', { bytesAllocated: 2 ** 21, cost: cost({ apiCalls: 1, walkRestarts: 1, pagePointersWritten: 262144 }), timing: { pinMeanNs: 2000, pinRme: 1, pinSamples: 9, releaseMeanNs: 1, releaseRme: 1, releaseSamples: 9 } }),
        run('callee-allocates:grow', { settings: { merge: 'folio', sizing: 'grow' }, bytesAllocated: 8192, cost: cost({ apiCalls: 1, walkRestarts: 1, bytesCopied: 4096 }) }),
        run('callee-allocates-v2', {}),
      ],
      notRun: [],
    },
  ],
};

// The same, with a second scenario the iov_iter control cannot state, and its row not run.
const withNotRun: Comparison = {
  ...c,
  scenarios: [
    { ...c.scenarios[0]!, notRun: [{ proposal: 'extract-bvecs', settings: { merge: 'physical' }, reason: 'extract-bvecs has no merge=physical (it supports folio)' }] },
    {
      scenario: 'rdma-100g',
      description: '',
      seed: 1,
      request: { start: 0, length: 100 * 2 ** 30, flags: 'FOLL_WRITE|FOLL_LONGTERM' },
      runs: [run('page-array', { result: 100 * 2 ** 30, bvecs: 51200, bios: 200 })],
      notRun: [{ proposal: 'extract-bvecs', settings: { merge: 'folio' }, reason: 'FOLL_LONGTERM cannot be expressed through an iov_iter' }],
    },
  ],
};

describe('README markers', () => {
  it('replaces only what is between the markers, and refuses a README without them', () => {
    const readme = 'a\n<!-- measured:begin -->\nold\n<!-- measured:end -->\nb\n';
    expect(replaceMeasured(readme, 'new')).toBe('a\n<!-- measured:begin -->\nnew\n<!-- measured:end -->\nb\n');
    expect(replaceMeasured(replaceMeasured(readme, 'new')!, 'new')).toBe(replaceMeasured(readme, 'new'));
    expect(replaceMeasured('a\n<!-- measured:end -->\n<!-- measured:begin -->\n', 'x')).toBeNull();
    expect(replaceMeasured('no markers', 'x')).toBeNull();
  });

  it("a proposal not run: its rows say so, the reasons follow the table", () => {
    const section = renderProposalSection(withNotRun, 'extract-bvecs');
    expect(section).toMatch(/^\| thp-1g +\| merge=physical \| not run \|( +- +\|){13}$/m);
    expect(section).toMatch(/^\| rdma-100g \| merge=folio +\| not run \|( +- +\|){13}$/m);
    expect(section.endsWith(
      '\n\nNot run:\n\n' +
        '- thp-1g: extract-bvecs has no merge=physical (it supports folio)\n' +
        '- rdma-100g: FOLL\\_LONGTERM cannot be expressed through an iov\\_iter',
    )).toBe(true);
    expect(renderProposalSection(withNotRun, 'page-array')).not.toContain('Not run');
  });

  it("a proposal's table takes its own rows and its variants', not a proposal whose name only starts alike", () => {
    const section = renderProposalSection(c, 'callee-allocates');
    expect(section).toMatch(/^\| thp-1g +\| grow; merge=folio, sizing=grow \|/m);
    expect(section.split('\n').filter((l) => l.startsWith('| thp-1g')).length).toBe(1);
  });
});

describe('the reading', () => {
  it('states agreement, the page-array figure and each proposal from the numbers', () => {
    expect(readingBullets(c)).toEqual([
      '- All 3 runs agree: on every scenario each proposal pinned the same bytes, described them in the same maximal runs under the same merge policy, and left the same final state, with every pin released and every refcount back. The options differ in cost only, cut runs included (they show in bvecs, bios and atomics).',
      '- Vectors per GiB pinned follow the folio size, not the API (one vector per run inside a folio, for the row that needed fewest): 512 on thp-1g.',
      '- On thp-1g, page-array writes 262,144 page pointers (2M of struct page *) on its way to 512 vectors, while the same bytes take 512 vectors (8K of struct bio_vec) when runs are returned directly.',
      '- **page-array** allocates 2M over the suite, most on thp-1g (2M); 1 call and 1 page-table walk for thp-1g; 2.00us per pin on thp-1g; median pin time 2.00x the fastest row of each scenario.',
      '- **callee-allocates:grow** allocates 8K over the suite, most on thp-1g (8K); 4K copied as arrays grew; 1 call and 1 page-table walk for thp-1g; 1.00us per pin on thp-1g; median pin time 1.00x the fastest row of each scenario.',
      '- **callee-allocates-v2** allocates nothing for its arrays (the caller provides them); 1 call and 1 page-table walk for thp-1g; 1.00us per pin on thp-1g; median pin time 1.00x the fastest row of each scenario.',
      "- Counters are exact and deterministic (the same seed gives the same numbers); times are the model's JavaScript on a shared machine, good for ratios within one run and nothing more. Atomics and walks are the proxies for kernel CPU cost.",
    ]);
  });

  it('names the rows that cut runs into more vectors than the fewest any row needed', () => {
    const cut: Comparison = {
      ...c,
      scenarios: c.scenarios.map((s) => ({
        ...s,
        runs: s.runs.map((r) => (r.proposal === 'callee-allocates-v2' ? { ...r, bvecs: r.bvecs * 5 + 3 } : r)),
      })),
    };
    // 512 runs; the changed row wrote 5 * 512 + 3 = 2563 vectors for them.
    expect(readingBullets(cut)).toContain(
      '- Some rows describe the same runs in more vectors, cut where a call or a bio ended: callee-allocates-v2 2563 where 512 suffice (thp-1g).',
    );
    expect(readingBullets(c).some((b) => b.includes('cut where'))).toBe(false);
  });

  it('names the rows not run, by proposal and reason, after the agreement', () => {
    const bullets = readingBullets(withNotRun);
    expect(bullets[0]).toMatch(/^- All 4 runs agree:/);
    expect(bullets[1]).toBe(
      '- Not run, so outside the comparison: extract-bvecs on thp-1g (extract-bvecs has no merge=physical (it supports folio)); extract-bvecs on rdma-100g (FOLL_LONGTERM cannot be expressed through an iov_iter).',
    );
    expect(readingBullets(c).some((b) => b.startsWith('- Not run'))).toBe(false);
  });

  it('names the runs that are not clean instead of claiming agreement', () => {
    const bad: Comparison = { ...c, scenarios: [{ ...c.scenarios[0]!, runs: [c.scenarios[0]!.runs[0]!, run('leaky', { invariant: ['pins not balanced'] })] }] };
    expect(readingBullets(bad)[0]).toBe('- Not every run is clean: leaky on thp-1g. See the tables below for why; the rest of this reading covers the clean runs only.');
  });

  it('REPORT.md: the reading, the charts next to it, then the tables', () => {
    const doc = renderReportDocument(c, ['vectors-per-gib', 'bytes-allocated']);
    const order = ['# The comparison', '## Reading', '## Charts', '![struct bio_vec entries per GiB pinned](vectors-per-gib.svg)', '## thp-1g'].map((s) => doc.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(doc).toContain('3 proposal runs over 1 scenarios');
    expect(renderReportDocument(withNotRun, [])).toContain('4 proposal runs over 2 scenarios');
  });
});
