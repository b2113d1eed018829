"""``python -m koppel`` runs the koppel command (the same as the ``koppel`` script)."""

from .cli import main

if __name__ == "__main__":  # a spawned worker process imports this module as __mp_main__ and must not run it
    main()
