"""The registers every context-mixing model has (int64 scalars in State.regs), and the sizes of its
tables. A data kind's own registers (image.py, audio.py) follow from R_MODEL on."""

HASHED = 24  # hashed contexts at most (R_ACTIVE says how many a model uses; bytes: orders.py)
# relative maps (a kind's own direct inputs: the image model's revisions 3 and 4), after DIRECT_SIZE where a model
# has them: per map, error level and the map's prediction minus the byte's bits so far (−256 … 255), by bit position
KIND_MAPS, KIND_MAP_LEVELS, KIND_MAP_SPAN = 24, 32, 512
# inputs: order 0, order 1, match, external, bias, then R_ACTIVE hashed contexts and, in a refined model
# (R_REFINED), as many count-map inputs, then in a model with runs (R_RUNS) as many run inputs, then R_MAPS
# relative maps, then in a model with tokens (R_TOKEN) the hex-run input and the token input: R_INPUTS of them in use
X_O0, X_O1, X_MATCH, X_EXT, X_BIAS, X_HASHED = 0, 1, 2, 3, 4, 5
N_INPUTS = X_HASHED + 3 * HASHED + KIND_MAPS + 2
N_MIXERS = 7  # first-layer mixers at most: A, B, C; D in a refined model; E and F in one with runs; D to G in one
#   with groups
RUN_MAX = 15  # a run input's longest run (4 bits in the slot's first word: counters.find_slot)

# direct counters: order 0 (256), order 1 (65,536), match (32 lengths × 2 expected bits), runs (per hashed
# context, run length 0 … RUN_MAX and bit position: how often the byte a context last saw is seen again), the
# token model (256: prefix length 0 … 7 × run of right guesses 0 … 15 × expected bit; token.py checks it), the
# hex-run input (hex_runs.py: run length 0 … HEX_LENGTHS − 1 × partial byte)
D_O1 = 256
D_MATCH = D_O1 + 65536
D_RUN = D_MATCH + 64
D_TOKEN = D_RUN + HASHED * (RUN_MAX + 1) * 8
D_HEX = D_TOKEN + 256
HEX_LENGTHS = 66  # a SHA-256's 64 digits, the byte after them, and longer runs
DIRECT_SIZE = D_HEX + HEX_LENGTHS * 256
KIND_MAPS_SIZE = KIND_MAPS * KIND_MAP_LEVELS * KIND_MAP_SPAN * 8  # direct counters after DIRECT_SIZE

R_C0, R_BITPOS, R_C4, R_C8, R_POS = 0, 1, 2, 3, 4  # partial byte, its bit, last 4 and 8 bytes, position
R_W0, R_W1, R_LINE, R_PREV_LINE = 5, 6, 7, 8  # bytes: word hashes, line starts
R_MPTR, R_MLEN, R_MBYTE, R_MCTX = 9, 10, 11, 12  # the match model
R_KNOWN = 13  # hashed contexts seen before, at this byte
R_SETS = 14  # N_MIXERS chosen weight sets
R_P = R_SETS + N_MIXERS  # N_MIXERS first-layer probabilities (12 bits)
R_S = R_P + N_MIXERS  # N_MIXERS first-layer logits
R_PF = R_S + N_MIXERS  # final mixer probability (12 bits)
R_APM = R_PF + 1  # the APMs' indices: 1 and 2, then 3 and 4 in a refined model
R_CTX = R_APM + 4  # HASHED context hashes
R_SLOT = R_CTX + HASHED  # HASHED slot offsets into the table
R_X = R_SLOT + HASHED  # N_INPUTS inputs
R_CMAP = R_X + N_INPUTS  # HASHED count-map entries this bit (APM indices from core.A_COUNT)
R_KIND = R_CMAP + HASHED  # the data kind whose sub-models run (kinds.BYTES, IMAGE, AUDIO)
R_SEL = R_KIND + 1  # the byte that selects mixer C's weights and APM 2's context: the previous byte, the
#   predicted pixel (image) or the predicted sample's byte (audio)
R_ACTIVE = R_SEL + 1  # hashed contexts in use, the first R_ACTIVE of HASHED: the others are absent (input 0)
R_REVISION = R_ACTIVE + 1  # the model's revision: 0 as every kind was before gencomp 0.15; bytes 1 to 10
#   (orders.Bytes), image 1 to 5
R_REFINED = R_REVISION + 1  # 1: the model has count maps, mixer D and APMs 3 and 4 (the byte model's revisions 2,
#   4 to 10)
R_INPUTS = R_REFINED + 1  # mixer inputs in use, the first R_INPUTS of N_INPUTS
R_MIXERS = R_INPUTS + 1  # first-layer mixers in use: 3; 4 in a refined model; 6 in one with runs; 7 with groups
R_SEL_D = R_MIXERS + 1  # what selects mixer D's weight set in a refined model or one with groups (0 … 1023, steps of 4)
R_MATCH_MIN = R_SEL_D + 1  # the match model looks the last R_MATCH_MIN bytes up (the model's match_min_bytes)
R_CONTEXT_LIMIT = R_MATCH_MIN + 1  # the hashed contexts' counters' count limit (the model's context_limit)
R_RUNS = R_CONTEXT_LIMIT + 1  # 1: each hashed context also predicts the byte it last saw, and mixers E and F
#   run (the byte model's revisions 4 to 10)
R_SEL_E = R_RUNS + 1  # what selects mixer E's weight set in a model with runs or groups (0 … 1023, steps of 4)
R_RUN = R_SEL_E + 1  # HASHED: the byte each hashed context last saw | its run length << 8 (0: none yet)
R_SLOT0 = R_RUN + HASHED  # HASHED: each context's slot for the byte's first nibble, whose first word holds the run
R_RUN_AT = R_SLOT0 + HASHED  # HASHED: each run input's direct counter × 2 + the bit it expects this bit (-1: none)
R_SEL_G = R_RUN_AT + HASHED  # what selects mixer G's weight set in a model with groups (0 … 2047, steps of 8)
R_MAPS = R_SEL_G + 1  # relative maps in use (after the hashed contexts' inputs), 0 … KIND_MAPS
R_MAP_PRED = R_MAPS + 1  # KIND_MAPS: each map's prediction of the byte (0 … 255), set by the kind per byte
R_MAP_LEVEL = R_MAP_PRED + KIND_MAPS  # KIND_MAPS: each map's error level (0 … KIND_MAP_LEVELS − 1), likewise
R_SETTLED = R_MAP_LEVEL + KIND_MAPS  # 1: the settled core (core.py; Bytes.settled): hashed counters that forget on a
#   surprise (counters.count_surprised), the second layer's weights chosen by the partial byte (R_BYTE_FINAL), and,
#   once the model has seen SETTLE_BYTES, the mixers' slower rates
R_MIXER_SKIP = R_SETTLED + 1  # a first-layer mixer whose error this bit is below this (12-bit probability units)
#   learns nothing (core.update; the model's mixer_skip: `cm` from gencomp 0.29); 0: every mixer learns every bit
R_BYTE_FINAL = R_MIXER_SKIP + 1  # 1: the second layer's weight set is chosen by the partial byte, not the bit position
#   alone (a settled core, except in a short stream of the byte model's revisions 7 to 10: state.new_state)
R_TOKEN = R_BYTE_FINAL + 1  # 1: the token model and the hex-run input run (token.py, hex_runs.py; the byte model's
#   revisions 8 to 10), their inputs the last two of R_INPUTS; then the token model's registers: the byte it expects
#   + 1 (0: none), its run of right guesses, where its source is, its counter this bit (0: none), a hash of the
#   token's bytes so far and their number; then the hex run (hex_runs.py)
R_TBYTE, R_TLEN, R_TPTR, R_TCTX, R_THASH, R_TPLEN, R_HEX = range(R_TOKEN + 1, R_TOKEN + 8)
R_FINE = R_TOKEN + 8  # 1: the final probability may come within 2^-16 of 0 or 1, not 32 · 2^-16 (core.predict; the byte
#   model's revisions 9 and 10): a byte that is all but certain costs some 0.0005 bits, not 0.006 at least
R_DECAY = R_TOKEN + 9  # a model with decaying mixers (the byte model's revision 10, the image model's 5): each
#   first-layer weight set learns at rate max(R_DECAY_LOW, R_DECAY − its updates so far >> R_DECAY_SHIFT)
#   (core.update; its count of updates after the second layer's weights); 0: the fixed rates of core.MIX_RATE
R_DECAY_LOW, R_DECAY_SHIFT = R_DECAY + 1, R_DECAY + 2
R_SEL_F = R_DECAY + 3  # what selects mixer F's weight set where no run does (the image model's revision 5: 1 … 4)
R_KIND_APMS = R_SEL_F + 1  # 1: two APMs of the kind's own in place of a refined model's APMs 3 and 4 (the image model's
#   revision 5), their contexts (0 … 255) in R_KIND_APM_CTX and the next register
R_KIND_APM_CTX = R_KIND_APMS + 1
R_MODEL = R_KIND_APM_CTX + 2  # the data kind's own registers start here
