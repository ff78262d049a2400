#!/usr/bin/env bash
# src/mm in chunks of one to a few files (about 100 to 450 mutants, 5 to 30 minutes
# each on two cores), so a run that must stop loses one chunk, not hours: Stryker
# writes its incremental baseline only when a run completes. Each chunk keeps its own
# baseline, reports/mutation/incremental-mm-<chunk>.json, which `npm run mutate:summary`
# merges with the others.
#
#   bash mutation/mm-chunks.sh            every chunk, in order
#   bash mutation/mm-chunks.sh fault mmap  the chunks named
set -uo pipefail
cd "$(dirname "$0")/.."

declare -A CHUNKS=(
  [report]="pin-leak-report pin-site pin-misuse"
  [small]="mmap-flag-checks vm-flags constants errno bug foll-flags mm mman page-flags cost vmstat"
  [checker]="pin-checker"
  [plan]="pin-release-plan"
  [cow]="wp-page populate folio-mark-dirty-lock memalloc-pin pfn-sequence split-huge-pmd"
  [mmap]="mmap"
  [unmap]="munmap vma zap"
  [fault]="fault"
  [huge]="hugetlb-fault huge-pmd-fault migrate"
  [install]="install rmap"
  [folio]="folio machine"
  [alloc]="alloc slab"
  [file]="file fork"
  [pt]="page-table user-access"
  [args]="arg-check address-arg-check"
)
ORDER=(report small checker plan cow mmap unmap fault huge install folio alloc file pt args)

if [ "$#" -gt 0 ]; then ORDER=("$@"); fi
mkdir -p reports/mutation
for name in "${ORDER[@]}"; do
  files=${CHUNKS[$name]:-}
  if [ -z "$files" ]; then
    echo "mm-chunks: no chunk named '$name' (chunks: ${!CHUNKS[*]})" >&2
    exit 2
  fi
  list=$(printf 'src/mm/%s.ts,' $files)
  echo "$(date +%T) chunk $name: ${list%,}" >&2
  npm run mutate -- --concurrency 3 --mutate "${list%,}" \
    --incrementalFile "reports/mutation/incremental-mm-$name.json" > "reports/mutation/mm-$name.log" 2>&1
  echo "$(date +%T) chunk $name: exit $? (log: reports/mutation/mm-$name.log)" >&2
done
