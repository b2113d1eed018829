#!/usr/bin/env bash
# The main job on our own samples: read an auditfile, show its summary, write its tables.
# Usage: samples/demo.sh KOPPEL OUTDIR   (make demo passes .venv/bin/koppel and out/demo)
# koppel never overwrites an output silently: the demo passes --force wherever it writes, so running it again
# replaces the earlier run's outputs whole (koppel refuses --force on a folder it did not write itself).
set -euo pipefail
koppel=${1:-koppel}
out=${2:-out/demo}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out" "$out/xaf40" "$out/xaf32"    # koppel creates an output folder, never its missing parents

echo "== 1. Inspect an auditfile (XAF 3.2)"
"$koppel" inspect "$here/voorbeeld_xaf32.xaf"

echo
echo "== 2. Export its tables"
"$koppel" export "$here/voorbeeld_xaf32.xaf" -o "$out/tabellen" --force

echo
echo "== Check an auditfile for the accountant (every rule of formats.md §2.8, XSD included)"
"$koppel" check "$here/voorbeeld_xaf32.xaf" --html "$out/check.html" --json "$out/check.json" --force
echo "Check report: $out/check.html (open it in a browser; JSON in $out/check.json)"

echo
echo "== Open items at the end of the year, reconciled with the control accounts"
# The sample's bank payments carry no invoice reference (their invRef is their own bank entry number),
# so they are matched only by the documented relation+amount fallback, else reported as unallocated.
"$koppel" openitems "$here/voorbeeld_xaf32.xaf" -o "$out/openstaand.xlsx" --force

echo
echo "== Other packages: the same auditfile as Exact Online XML and Twinfield XML, read back into King"
"$koppel" convert "$here/voorbeeld_xaf32.xaf" --to exact-online -o "$out/exact-online" --force
"$koppel" convert "$here/voorbeeld_xaf32.xaf" --to twinfield -o "$out/twinfield" --option office=VB001 --force
"$koppel" convert "$out/twinfield" --from twinfield --to multivers -o "$out/multivers" --force
"$koppel" formats | grep -E "^(exact-online|twinfield|king|snelstart|afas|multivers|exact-globe|visma|e-boek|boekhoud)" || true

echo
echo "== Upgrade an old CLAIR2 auditfile to XAF 4.0 (the only version accepted from 2027), with the upgrade report"
"$koppel" convert "$here/voorbeeld_clair2.xml" --to xaf40 -o "$out/xaf40/voorbeeld_4.0.xaf" --force --option keep_dropped="$out/xaf40/weggelaten"
echo "Upgrade report: $out/xaf40/upgrade-report.json; dropped values kept in $out/xaf40/weggelaten/dropped-elements.csv"

echo
echo "== The 3.2 sample as XAF 3.2 in continuation files of at most 50 kB (Vervolgbestand x van y), read back whole"
"$koppel" convert "$here/voorbeeld_xaf32.xaf" --to xaf32 -o "$out/xaf32/voorbeeld_3.2.xaf" --option split_mb=0.05 --force
"$koppel" inspect "$out/xaf32/voorbeeld_3.2.xaf"


echo
echo "== Batch job over a sample inbox: converted once, archived; a broken drop is quarantined with its error file"
rm -rf "$out/jobs" && cp -r "$here/jobs" "$out/jobs"    # a fresh copy each time, so the demo can be rerun
"$koppel" run "$out/jobs/jobs.toml" --workers 2 || test $? -eq 1    # exit 1: something was quarantined
cat "$out/jobs/quarantine/administraties/kwekerij-2025.xaf.error.txt"
cp "$out/jobs/archive/kassa/z-2025-03-14.csv" "$out/jobs/inbox/kassa/"   # the same drop arrives again
"$koppel" run "$out/jobs/jobs.toml" --workers 2                          # ... and is skipped, not booked twice

echo
echo "== Migration: auditfile -> Minox import files, with a reviewed mapping, IMPORTEREN.md and control.json"
"$koppel" mapping init "$here/voorbeeld_xaf32.xaf" --to minox -o "$out/minox-mapping.toml" --force
"$koppel" convert "$here/voorbeeld_xaf32.xaf" --to minox -o "$out/minox" --mapping "$out/minox-mapping.toml" --force
echo "Minox files:        $out/minox/ ($(ls "$out/minox" | tr '\n' ' '))"
echo "How to import them: $out/minox/IMPORTEREN.md"
echo "Proof (money in = money out per account): $out/minox/control.json"
"$koppel" convert "$out/minox" --from minox --to asperion -o "$out/asperion" --force   # package to package

echo
echo "== POS Z-report (dagstaat) -> daily memorial entries (VAT per rate, payment methods, cash rounding) -> package"
"$koppel" profile check "$here/sources/pos_zrapport.csv" --profile pos-z --until 2024-03-02
"$koppel" export "$here/sources/pos_zrapport.csv" --profile pos-z -o "$out/kassa-tabellen" --force
"$koppel" convert "$here/sources/pos_zrapport.csv" --profile pos-z --to snelstart -o "$out/kassa-snelstart" --force
"$koppel" relations convert "$here/sources/relaties.xlsx" --to xlsx -o "$out/relaties-gecontroleerd.xlsx" --force \
    || test $? -eq 1    # exit 1: the list has error findings (written in the workbook's sheet Bevindingen)

echo
echo "== The same in a browser, for people who never open a terminal: check, browse, convert, jobs"
echo "Start it with:"
echo "  $koppel serve --open                              # http://127.0.0.1:8765/ (files stay on this computer)"
echo "  $koppel serve --jobs $out/jobs/jobs.toml --open   # with the batch job above on its Jobs page"
