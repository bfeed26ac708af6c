"""Postprocess stage: per-joint metrics, summary, pictures (life and hermeticity to come)."""
