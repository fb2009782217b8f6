"""What the command line sets for its process and its children before anything imports numpy."""

import os

# numpy's OpenBLAS starts a thread for each further core, which spins for about 0.1 s after the
# import and after every BLAS call. articast does no linear algebra, so one thread is enough: the
# spinning took 0.1 CPU-s in the main process and 0.05 in each speech worker, on cores the voice
# needs. The user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Two malloc arenas for the whole process, as the speech workers have (see speech.workers): a batch
# runs articles, their speech readers and their encoders' feeders on many threads, and glibc gives
# each new thread an arena of its own that keeps its peak. Measured over ten short articles in one
# command: the main process peaked at 180 MB instead of 226-251 MB.
try:
    import ctypes

    ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
except (OSError, AttributeError):  # not glibc
    pass
