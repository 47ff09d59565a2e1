"""Keeping long-running processes' memory flat while they page through big POS feeds.

A sync decodes pages of a few MB each. glibc's malloc raises its mmap threshold after
such buffers are freed, so later ones come from the heap and fragment it: RSS creeps up
page after page although Python frees everything (tracemalloc stays flat). Pinning the
threshold keeps big buffers on mmap, returned to the OS as soon as they are freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
PAGE_BUFFER_THRESHOLD = 64 * 1024


def pin_mmap_threshold(threshold: int = PAGE_BUFFER_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold; False (and no change) on a C library without mallopt."""
    path = ctypes.util.find_library("c")
    if not path:
        return False
    try:
        mallopt = ctypes.CDLL(path).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
