"""DEFLATE's window as zlib keeps it: how much context gzip's exact scoring (deflate_bits) can hold.
Its own module so that the gzip codec knows the limit without importing the scoring kernels."""

MIN_LOOKAHEAD = 262  # zlib's MAX_MATCH + MIN_MATCH + 1: bytes of look-ahead deflate keeps unparsed
MAX_CONTEXT_BYTES = (1 << 15) - MIN_LOOKAHEAD - 1  # the largest context a 32 KiB window holds with a candidate
