"""``python -m koppel.cli`` runs the koppel command."""

from . import main

if __name__ == "__main__":  # a spawned worker imports this module as __mp_main__
    main()
