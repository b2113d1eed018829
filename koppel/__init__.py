"""koppel — batch toolkit for Dutch bookkeeping data (XAF auditfiles, package import files, exports).

The Python API (the same jobs as the ``koppel`` command)::

    import koppel

    adm = koppel.read("samples/voorbeeld_xaf32.xaf")          # an Administration
    result = koppel.check("samples/voorbeeld_xaf32.xaf")      # verdict and findings, as ``check --json``
    done = koppel.convert("samples/voorbeeld_xaf32.xaf", to="asperion", out="asperion")
    report = koppel.run_job("jobs/jobs.toml")

Importing koppel is cheap: pandas, lxml and pyarrow load on the first call.
"""

from .api import check, convert, read, run_job
from .errors import KoppelError

__version__ = "0.1.0"

__all__ = ["KoppelError", "__version__", "check", "convert", "read", "run_job"]
