#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (gitignored) from the
# sample corpus (corpus/), a few lines of the shared corpus (../shared/corpus, when present) and
# the query examples of README.md. Seeds are cut to 8 KB so that runs stay fast. The first byte of
# each corpus seed selects the file type or forced encoding (see fuzz_targets/*.rs).
set -euo pipefail
cd "$(dirname "$0")"
root=..
shared=$root/../shared/corpus
out=corpus
mkdir -p "$out"/{decode,read_text,read_jsonl,read_csv,query_parse}

seed() { # seed TARGET NAME SELECTOR FILE: selector byte + the first 8 KB of FILE
  { printf "\\x$(printf %02x "$3")"; head -c 8192 "$4"; } > "$out/$1/$2"
}

n=0
for f in "$root"/corpus/*.txt "$root"/corpus/speeches/* "$shared"/seed/*.txt; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  seed read_text "text-$n" $((n % 3)) "$f"
  seed decode "utf8-$n" 7 "$f"
  if iconv -f UTF-8 -t GB18030 "$f" > /tmp/speechdex-seed.$$ 2>/dev/null; then
    seed decode "gb18030-$n" 7 /tmp/speechdex-seed.$$
  fi
  if iconv -f UTF-8 -t UTF-16LE "$f" > /tmp/speechdex-seed.$$ 2>/dev/null; then
    seed decode "utf16le-$n" 7 /tmp/speechdex-seed.$$
  fi
done
rm -f /tmp/speechdex-seed.$$

# JSONL: the sample file and the first lines of the shared one; JSON: a two-element array.
seed read_jsonl sample 0 "$root/corpus/reports/sample-reports.jsonl"
if [ -f "$shared/gwr/government_work_reports.jsonl" ]; then
  head -n 2 "$shared/gwr/government_work_reports.jsonl" | cut -c1-3000 > /tmp/speechdex-seed.$$
  seed read_jsonl shared 0 /tmp/speechdex-seed.$$
  rm -f /tmp/speechdex-seed.$$
fi
printf '\x01[{"title":"一","content":"正文一","year":2020},{"text":"2019年报告\\n正文","tags":["a"]}]' \
  > "$out/read_jsonl/array"

# CSV: the sample file and two shared provincial reports; TSV: a small one.
seed read_csv sample 0 "$root/corpus/reports/sample-provincial.csv"
m=0
for f in "$shared"/provincial-2026/*.csv; do
  [ -f "$f" ] || continue
  m=$((m + 1))
  [ $m -le 2 ] || break
  seed read_csv "shared-$m" 0 "$f"
done
printf '\x01title\ttext\tyear\n讲话\t正文\t2020\n' > "$out/read_csv/tsv"

# Queries: the README's examples, one a file.
q=0
grep -o '^| `[^`]*`' "$root/README.md" | sed 's/^| `//; s/`$//' | while IFS= read -r line; do
  q=$((q + 1))
  printf '%s' "$line" > "$out/query_parse/readme-$q"
done
for query in '新质生产力 "共同' '(碳达峰 | 碳中和) -煤炭 year:2020..2025' 'title:"政府 工作" NOT 人工智能' \
  'date:2024-01-01..2024-06-30 speaker:李强' '“新质生产力” OR gdp -(a b)'; do
  q=$((q + 1))
  printf '%s' "$query" > "$out/query_parse/extra-$q"
done
for t in decode read_text read_jsonl read_csv query_parse; do
  printf '%s: %s seeds\n' "$t" "$(ls "$out/$t" | wc -l)"
done
