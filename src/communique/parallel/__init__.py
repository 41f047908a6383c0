"""Running the pipeline on more than one core (`pool`) or machine (`ray_job`)."""

from communique.parallel.pool import analyse_in_order, default_workers

__all__ = ["analyse_in_order", "default_workers"]
