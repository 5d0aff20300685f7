"""The thin FastAPI adapter: routes call use cases and nothing else."""
