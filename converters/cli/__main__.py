"""``python -m converters.cli`` runs the koppel command."""

from . import main

main()
