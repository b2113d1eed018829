"""Package formats: one module per bookkeeping package (writer, reader where the format can be read)."""
