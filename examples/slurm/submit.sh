#!/bin/bash
# Queues the sharded sweep, then its merge once every array task has succeeded.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p logs
jid=$(sbatch --parsable sweep.sbatch)
sbatch --dependency=afterok:"${jid%%;*}" merge.sbatch
