#!/bin/bash
# Slurm job: one flipstack case on one node with the container's own MPI (MPICH).
#   sbatch examples/hpc/slurm_job.sh examples/solder_bump_baseline.toml
# Multi-node runs need the host MPI to be ABI-compatible with MPICH; then replace the
# container's mpiexec by `srun --mpi=pmi2 apptainer exec flipstack.sif flipstack run ...`.
#SBATCH --job-name=flipstack
#SBATCH --nodes=1
#SBATCH --ntasks=8
#SBATCH --cpus-per-task=1
#SBATCH --mem=32G
#SBATCH --time=04:00:00
#SBATCH --output=flipstack-%j.log
set -euo pipefail

CASE=${1:?usage: sbatch slurm_job.sh CASE.toml}
IMAGE=${FLIPSTACK_IMAGE:-flipstack.sif}
OUT=results/$(basename "$CASE" .toml)-$SLURM_JOB_ID

# Compiled forms are cached per user; keep the cache on a shared file system.
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export OMP_NUM_THREADS=1

apptainer exec --bind "$PWD" "$IMAGE" \
    mpiexec -n "$SLURM_NTASKS" flipstack run "$CASE" --out "$OUT"
