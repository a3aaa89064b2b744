"""news-crawler: a Scrapy project that turns news sites into a clean SQLite database."""

from __future__ import annotations

import os

__version__ = "0.1.0"

# numpy's BLAS starts a thread per core for the language identifier's small products (py3langid)
# and those threads spin between calls: on two cores a page cost three times its CPU (learned
# path 43.8 ms against 14.0, bench/learned_cost.py). Every process of ours, the workers too,
# imports this package before numpy; a value the user set is kept.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
