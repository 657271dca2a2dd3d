"""The integer-exact path: tables from integers, weights from log-scores and code lengths, normalization."""

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from gencomp.coding import exact
from tests.conftest import rng_for


@pytest.mark.parametrize("base,out_bits", [("e", 30), (2, 48), ("e", 20)])
def test_exp_tables_are_correctly_rounded(base, out_bits):
    table = exact.exp_table(base, out_bits, 4000)
    getcontext().prec = 50
    log_base = Decimal(1) if base == "e" else Decimal(base).ln()
    for d in [0, 1, 2, 255, 256, 1000, 2047, 3999]:
        value = (-log_base * d / 256).exp() * (1 << out_bits)
        assert table[d] == int(value.to_integral_value()), (base, d)
    assert table[0] == 1 << out_bits and (np.diff(table) <= 0).all()


def test_exp_table_floor_and_limits():
    assert exact.exp_table("e", 10, 5000, floor=1).min() == 1
    assert exact.exp_table("e", 10, 5000)[-1] == 0
    with pytest.raises(ValueError):
        exact.exp_table("e", 63, 10)


def test_weights_from_bits_halve_per_bit():
    bits = np.array([[3.0, 4.0, 13.0, 3.5, 1000.0]])
    w = exact.weights_from_bits(bits)[0]
    assert w[0] == 2**48 and w[1] == 2**47 and w[2] == 2**38  # exact powers of two on the grid
    assert w[3] == round(2**48 / math.sqrt(2)) and w[4] == 2**8  # 40 bits below the best: the table's end


def test_weights_from_log_probs_keep_ratios_on_the_grid():
    lp = np.log(np.array([0.5, 0.25, 0.125, 0.125]))
    w = exact.weights_from_log_probs(lp)
    assert w[0] == 2**40 and abs(w[1] / w[0] - 0.5) < 2e-3 and abs(w[2] / w[0] - 0.25) < 2e-3 and w[2] == w[3]
    weird = exact.weights_from_log_probs(np.array([np.nan, -np.inf, 0.0, np.inf]))
    assert weird.tolist()[2] == weird.max() and weird.min() >= 1


def test_normalize_sums_to_the_scale_and_is_uniform_for_zero_rows():
    rng = rng_for(0)
    w = (rng.random((100, 256)) ** 6 * 2.0**53).astype(np.int64)  # rows sum below 2^61
    w[0] = 0
    p = exact.normalize(w, 30)
    assert (p[0] == 2**30 // 256).all()
    assert ((p[1:].sum(-1) <= 2**30) & (p[1:].sum(-1) > 2**30 - 256)).all()
    ideal = w[1:] / w[1:].sum(-1, keepdims=True) * 2.0**30
    assert ((p[1:] > ideal - 1 - 1e-6) & (p[1:] <= ideal + 1e-6)).all()  # the floor of w / S · 2^30


def test_log_probs_are_the_coders_own():
    from gencomp.coding import TOTAL, weights_to_frequencies

    w = rng_for(1).integers(0, 1000, (3, 256))
    np.testing.assert_allclose(np.exp(exact.log_probs(w)), weights_to_frequencies(w) / TOTAL, rtol=1e-12)


INSPECT_COMPILED = """
import json, re, sys
import numpy as np
from gencomp.coding import range_coder
from gencomp.compressors import cm
from gencomp.models import context_mixing

data = sys.stdin.buffer.read()
codec = cm.ContextMixingCompressor("cm")
codec.decompress(codec.compress(data))
out = np.empty(256, np.int64)
model = cm.new_model(np.frombuffer(data, np.uint8).copy())
context_mixing.byte_weights(*model.arrays, context_mixing.SQUASH, context_mixing.STRETCH, np.zeros(0, np.int64), out)
range_coder._quantize_row(out, np.empty(256, np.int64))
found = {}
for fn in (range_coder._quantize_row, context_mixing.decode_bytes, context_mixing.byte_weights):  # and all they call
    ir = "".join(fn.inspect_llvm().values())
    pattern = r"@(?:llvm\\.)?(?:exp|exp2|log|log2|log10|pow)(?:\\.v\\d+f\\d+|\\.f\\d+|f)?\\b"
    fused = r"@llvm\\.fmuladd|@llvm\\.fma\\b|\\b(?:contract|reassoc|fast)\\b"  # fused or reordered float ops
    found[fn.__name__] = {"ir_bytes": len(ir), "calls": sorted(set(re.findall(pattern, ir))),
                          "fused": sorted(set(re.findall(fused, ir))), "float_ops": len(re.findall(r"= fmul double", ir))}
print(json.dumps(found))
"""


def test_compiled_code_that_decides_frequencies_calls_no_exp_or_log_and_fuses_no_float_ops(wiki_heldout, tmp_path):
    """numba's math.log/exp are libm (or vector-library) calls that may differ by machine and vector
    width: none in the compiled code that decides frequencies. The float64 arithmetic there (audio's
    and image's least squares) carries no fast-math flags, so no machine fuses (FMA) or reorders it. Compiled afresh (numba cannot
    inspect code loaded from its cache), numba's own kernels (gencomp.native's code is the same LLVM's
    output of them: tests/test_native.py)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), GENCOMP_NATIVE="0")
    done = subprocess.run([sys.executable, "-c", INSPECT_COMPILED], input=wiki_heldout[:500], env=env,
                          capture_output=True, check=True)
    found = json.loads(done.stdout)
    for name, result in found.items():
        assert result["ir_bytes"] > 1000, f"{name}: no IR to inspect"
        assert not result["calls"], f"{name} calls {result['calls']}"
        assert not result["fused"], f"{name}: float arithmetic the compiler may fuse or reorder: {result['fused']}"
    assert found["decode_bytes"]["float_ops"] > 0, "audio's least-squares stage is not in the inspected code"
