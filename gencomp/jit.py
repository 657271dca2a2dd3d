"""Settings shared by the numba-compiled kernels."""

from pathlib import Path

# numba caches compiled kernels on disk beside their source, or in the user's cache folder; for a
# package inside a zip (a zipapp) it finds no place and refuses, so there they compile at each start.
CACHE = Path(__file__).is_file()
