"""The registers every context-mixing model has (int64 scalars in State.regs), and the sizes of its
tables. A data kind's own registers (image.py, audio.py) follow from R_MODEL on."""

HASHED = 10  # hashed contexts at most (R_ACTIVE says how many a model uses; bytes: orders.py)
N_INPUTS = 2 + HASHED + 3  # order 0, order 1, hashed, match, external, bias
X_MATCH, X_EXT, X_BIAS = 2 + HASHED, 3 + HASHED, 4 + HASHED
N_MIXERS = 3

# direct counters: order 0 (256), order 1 (65,536), match (32 lengths × 2 expected bits)
D_O1 = 256
D_MATCH = D_O1 + 65536
DIRECT_SIZE = D_MATCH + 64

R_C0, R_BITPOS, R_C4, R_C8, R_POS = 0, 1, 2, 3, 4  # partial byte, its bit, last 4 and 8 bytes, position
R_W0, R_W1, R_LINE, R_PREV_LINE = 5, 6, 7, 8  # bytes: word hashes, line starts
R_MPTR, R_MLEN, R_MBYTE, R_MCTX = 9, 10, 11, 12  # the match model
R_KNOWN = 13  # hashed contexts seen before, at this byte
R_SETS = 14  # N_MIXERS chosen weight sets
R_P = R_SETS + N_MIXERS  # N_MIXERS first-layer probabilities (12 bits)
R_S = R_P + N_MIXERS  # N_MIXERS first-layer logits
R_PF = R_S + N_MIXERS  # final mixer probability (12 bits)
R_APM = R_PF + 1  # 2 APM indices, 1 interpolation weight
R_CTX = R_APM + 3  # HASHED context hashes
R_SLOT = R_CTX + HASHED  # HASHED slot offsets into the table
R_X = R_SLOT + HASHED  # N_INPUTS inputs
R_KIND = R_X + N_INPUTS  # the data kind whose sub-models run (kinds.BYTES, IMAGE, AUDIO)
R_SEL = R_KIND + 1  # the byte that selects mixer C's weights and APM 2's context: the previous byte, the
#   predicted pixel (image) or the predicted sample's byte (audio)
R_ACTIVE = R_SEL + 1  # hashed contexts in use, the first R_ACTIVE of HASHED: the others are absent (input 0)
R_REVISION = R_ACTIVE + 1  # the model's revision: 0 as every kind was before gencomp 0.15; bytes 1 (orders.Bytes)
R_MODEL = R_REVISION + 1  # the data kind's own registers start here
