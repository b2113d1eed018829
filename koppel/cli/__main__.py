"""``python -m koppel.cli`` runs the koppel command."""

from . import main

main()
