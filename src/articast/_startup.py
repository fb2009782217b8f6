"""What the command line sets for its process and its children before anything imports numpy."""

import os

# numpy's OpenBLAS starts a thread for each further core, which spins for about 0.1 s after the
# import and after every BLAS call. articast does no linear algebra, so one thread is enough: the
# spinning took 0.1 CPU-s in the main process and 0.05 in each speech worker, on cores the voice
# needs. The user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
