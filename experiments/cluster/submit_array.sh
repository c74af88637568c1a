#!/bin/bash
# Submits a campaign as a Slurm array of N shards plus the merge step that waits for them.
#   bash experiments/cluster/submit_array.sh CAMPAIGN.toml N [OUT.h5]
set -euo pipefail
CAMPAIGN=${1:?usage: submit_array.sh CAMPAIGN.toml N [OUT.h5]}
SHARDS=${2:?usage: submit_array.sh CAMPAIGN.toml N [OUT.h5]}
NAME=$(basename "$CAMPAIGN" .toml)
OUT=${3:-results/$NAME.h5}
PARTS=results/$NAME-parts
mkdir -p "$PARTS" "$(dirname "$OUT")"
here=$(dirname "$0")
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL,SHARDS="$SHARDS",CAMPAIGN="$CAMPAIGN",PARTS="$PARTS" \
  "$here/array_job.sbatch")
sbatch --dependency=afterok:"$array" --export=ALL,PARTS="$PARTS",OUT="$OUT" "$here/merge_job.sbatch"
echo "array job $array ($SHARDS shards into $PARTS), merge into $OUT queued after it"
