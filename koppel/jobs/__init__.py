"""Batch jobs for periodic file drops: an inbox converted exactly once, atomically, in parallel.

``koppel run JOB.toml`` and ``koppel watch JOB.toml`` drive :func:`run_job_file`; the unit of work is
:func:`~koppel.jobs.task.process_input` (one file in, a staging folder of outputs or an error out).
"""

from .config import ConvertSpec, Job, JobFile, load_job_file
from .runner import Outcome, RunReport, run_job_file
from .task import Result, Task, process_input

__all__ = [
    "ConvertSpec",
    "Job",
    "JobFile",
    "Outcome",
    "Result",
    "RunReport",
    "Task",
    "load_job_file",
    "process_input",
    "run_job_file",
]
