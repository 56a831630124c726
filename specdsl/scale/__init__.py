"""Checking at fleet scale: exports split into chunks of images, checked one chunk at a time, in worker
processes or on a Dask cluster, and merged into exactly the one-process result (contract: SCALE.md).

- :mod:`.plan` cuts an export into :class:`~specdsl.scale.plan.Chunk` descriptors (byte ranges of JSON
  Lines, image ranges of a native document, or the whole file for the other formats);
- :mod:`.task` checks one chunk: the findings of everything but quotas, and the quota counters;
- :mod:`.quotas` sums the counters and evaluates each quota once on the merged shares;
- :mod:`.run` runs the chunks of an export in order, in this process or in a pool of ``--jobs`` workers.
"""
