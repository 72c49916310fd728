#!/bin/sh
# Draft the six dev-corpus knowledge files again with `memobot import`, into DIR (default:
# drafts/ here; never over the curated files in knowledge/). Compare with knowledge/ to see what
# curation changed (tests/dev-corpus/README.md lists the hand edits).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/drafts}
memobot=${MEMOBOT:-memobot}
mkdir -p "$out"
src=$here/sources
gh='https://github.com/Straubinger/lix/blob/a6ff800331cbce15ea977dea896b6ddebb40e326/Denmark%20Opening%20of%20Parliament%20speeches'
for spec in "2019|1. oktober 2019" "2021|5. oktober 2021" "2022|4. oktober 2022"; do
    y=${spec%%|*}; d=${spec#*|}
    "$memobot" import "$src/da-aabningstale-$y.txt" --id "aabningstale-$y" -o "$out/aabningstale-$y.yaml" --force \
        --title "Statsministerens tale ved Folketingets åbning $y" --subtitle "Statsminister Mette Frederiksen, $d" \
        --publisher Statsministeriet --year "$y" --source-url "$gh/${y}MF.txt" --language da
done
for spec in \
    "R48903|3|April 10, 2026|The Strait of Hormuz in Brief: Non-Oil Shipments and Effects on U.S. Shippers" \
    "R48907|2|April 15, 2026|Military Discharges: Character of Service and Eligibility for Department of Veterans Affairs (VA) Benefits" \
    "R47324|18|April 15, 2026|Seabed Mining in Areas Beyond National Jurisdiction: Issues for Congress"; do
    r=${spec%%|*}; rest=${spec#*|}; v=${rest%%|*}; rest=${rest#*|}; d=${rest%%|*}; t=${rest#*|}
    lr=$(echo "$r" | tr 'A-Z' 'a-z')
    "$memobot" import "$src/en-crs-$r.md" --id "crs-$lr" -o "$out/crs-$lr.yaml" --force \
        --title "$t" --subtitle "CRS report $r, version $v, $d" --series CRS \
        --publisher "Congressional Research Service" --year 2026 \
        --source-url "https://www.congress.gov/crs-product/$r" --language en
done
