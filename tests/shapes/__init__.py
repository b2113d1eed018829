"""Hand-made input files with the shapes real producers write (never copies of their files)."""
