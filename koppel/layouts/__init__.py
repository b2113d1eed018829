"""Layout-driven writing and reading of delimited package files (descriptors in schemas/)."""
