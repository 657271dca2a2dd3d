"""The image codec: exact round trips at any width, smaller than PNG on real photographs, clear spec errors."""

import io

import numpy as np
import pytest
from PIL import Image

import gencomp
from gencomp.archive.legacy import earlier_codec
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.media.image import image_to_patches, read_grayscale
from gencomp.models.context_mixing import image, image_predictions
from gencomp.models.context_mixing import least_squares as lsq
from gencomp.models.context_mixing.laplace import LAPLACE
from gencomp.models.context_mixing.layout import R_REVISION
from tests.conftest import SEEDS, rng_for


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trips_random_pixels_at_any_width(seed):
    rng = rng_for(seed)
    for width in (1, 3, 64, int(rng.integers(2, 700))):
        data = rng.integers(0, 256, int(rng.integers(0, 5000)), dtype=np.uint8).tobytes()
        codec = get_compressor(f"image:{width}")
        assert gencomp.decompress(codec.compress(data)) == data


def test_photo_patches_cost_less_than_png(data_dir):
    """The paper's set-up: 32×64 patches (2048 bytes) of a real photograph, each coded alone."""
    patches = image_to_patches(read_grayscale(data_dir / "image" / "camera.png"))
    chunks = [patches[i : i + 2048] for i in range(0, len(patches), 2048 * 8)]
    image_bits = get_compressor("image").chunk_code_length_bits(chunks).sum()
    png_bytes = sum(len(get_compressor("png").encode(c)) for c in chunks)
    assert image_bits / 8 < 0.85 * png_bytes
    archive = get_compressor("image", chunk_size_bytes=2048).compress(b"".join(chunks))
    assert gencomp.decompress(archive) == b"".join(chunks)


def test_a_whole_photo_round_trips_and_beats_optimised_png(data_dir):
    gray = read_grayscale(data_dir / "image" / "coins.png")
    height, width = gray.shape
    archive = get_compressor(f"image:{width}").compress(gray.tobytes())
    assert gencomp.decompress(archive) == gray.tobytes()
    png = io.BytesIO()
    Image.fromarray(gray).save(png, "PNG", optimize=True, compress_level=9)
    assert len(archive) < len(png.getvalue())


@pytest.mark.parametrize("spec", ["image:0", "image:abc", "image:-5"])
def test_bad_widths_are_named(spec):
    with pytest.raises(GencompError, match="width"):
        get_compressor(spec)


@pytest.mark.parametrize("step", [0, 1, 5, 91, image.MAX_STEP])
def test_cumulative_laplace_weights_are_the_sums_they_stand_for(step):
    """The image predictor reads each bit's Laplace input from prefix sums: every cumulative weight
    must be the integer the 256-term sum over the pixel values below it gives, for every prediction."""
    regs = np.zeros(image.R_END, np.int64)
    image.laplace_prefix(regs, step)
    regs[image.R_STEP] = step
    for mu in range(256):
        regs[image.R_MU] = mu
        weights = LAPLACE[np.minimum(np.abs(np.arange(256) - mu) * step, 8191)]
        expected = np.concatenate([[0], np.cumsum(weights)])
        assert [image.cumulative(regs, k) for k in range(257)] == expected.tolist()


def test_the_bias_corrected_centre_codes_a_photograph_smaller_and_older_archives_still_decode(data_dir):
    """0.8 centres each pixel's Laplace on the median prediction plus its context's mean residual;
    an archive without "image_bias" in its identity (0.4 to 0.7) is decoded without the correction."""
    gray = read_grayscale(data_dir / "image" / "chelsea.png")[:128]
    data = gray.tobytes()
    codec = get_compressor(f"image:{gray.shape[1]}")
    assert codec.identity()["image_bias"] == 1
    older = earlier_codec(codec, {k: v for k, v in codec.identity().items() if k not in ("image_bias", "image_revision")})
    assert "image_bias" not in older.identity() and older.identity()["headroom_bits"] == 1
    corrected, uncorrected = codec.compress(data), older.compress(data)
    assert len(corrected) < 0.998 * len(uncorrected)
    assert gencomp.decompress(corrected) == data and gencomp.decompress(uncorrected) == data


def test_each_revision_codes_smaller_and_older_archives_still_decode(data_dir):
    """0.16 (revision 1) centres each pixel's Laplace on an error-weighted blend of nine predictors (or
    the median, where it erred less around the pixel) and sizes it by that error; 0.17 (revision 2)
    adds a least-squares predictor to the blend and two contexts on it; 0.22 (revision 3) eight relative
    maps and a context on the pixel's parities; 0.24 (revision 4) three local least-squares fits and twelve
    extrapolations, each with a map, and mixers D to G; 0.33 (revision 5) decaying mixers and two APMs of its own. An
    archive with "image_revision": 1 to 4 is decoded with that revision, one without it (0.8 to 0.15) with
    revision 0."""
    gray = read_grayscale(data_dir / "image" / "chelsea.png")[:160]
    data = gray.tobytes()
    codec = get_compressor(f"image:{gray.shape[1]}")
    assert codec.identity()["image_revision"] == 5 and codec.model.contexts == 11 and codec.model.relative_maps == 23
    assert codec.model.groups and codec.model.kind_apms and codec.model.mixer_decay
    identity = codec.identity()
    fourth = earlier_codec(codec, identity | {"image_revision": 4})
    assert fourth.model.revision == 4 and fourth.model.groups and not fourth.model.kind_apms
    third = earlier_codec(codec, identity | {"image_revision": 3})
    assert third.model.revision == 3 and third.model.relative_maps == 8 and not third.model.groups
    second = earlier_codec(codec, identity | {"image_revision": 2})
    assert second.model.revision == 2 and second.model.contexts == 10 and second.model.relative_maps == 0
    first = earlier_codec(codec, identity | {"image_revision": 1})
    assert first.model.revision == 1 and first.model.contexts == 8 and first.identity()["image_revision"] == 1
    median = earlier_codec(codec, {k: v for k, v in identity.items() if k != "image_revision"})
    assert median.model.revision == 0 and "image_revision" not in median.identity()
    archives = [c.compress(data) for c in (median, first, second, third, fourth, codec)]
    sizes = [len(a) for a in archives]
    assert sizes[5] < sizes[4] and sizes[4] < 0.99 * sizes[3] and sizes[3] < 0.995 * sizes[2] and sizes[2] < 0.995 * sizes[1], sizes
    assert sizes[1] < 0.985 * sizes[0], sizes
    assert all(gencomp.decompress(a) == data for a in archives)


def test_revision_5_chooses_mixer_f_and_its_apms_by_the_pixels_parities_and_codes_a_doubled_image_smaller(data_dir):
    """Revision 5's mixer F is chosen by the parities of the pixel's column and row (1 … 4), its first APM by the mean
    of W and N in steps of 8 with them, its second by the least-squares prediction. A photograph scaled up by pixel
    doubling (as `moon` is), where which parity the pixel has says whether it repeats W or N, codes 4 % smaller than
    with revision 4 (measured: 0.9403), the crop itself 0.3 % (0.9945)."""
    from gencomp.compressors.cm import ContextMixingCompressor
    from gencomp.models.context_mixing import Image as ImageModel
    from gencomp.models.context_mixing import new_state
    from gencomp.models.context_mixing.layout import R_KIND_APM_CTX, R_SEL_F

    gray = read_grayscale(data_dir / "image" / "chelsea.png")[:160]
    doubled = np.repeat(np.repeat(gray[:80, :120], 2, axis=0), 2, axis=1)
    history = np.ascontiguousarray(doubled).ravel()
    width = doubled.shape[1]
    state = new_state(14, 12, history, ImageModel(width, revision=5))
    for pos in (width + 2, width + 3, 2 * width + 2, 2 * width + 3):
        image.contexts(state.regs, history, pos)
        col, row = pos % width, pos // width
        w, n = int(history[pos - 1]), int(history[pos - width])
        assert state.regs[R_SEL_F] == 1 + (col & 1) + 2 * (row & 1)
        assert state.regs[R_KIND_APM_CTX] == ((w + n) >> 3) | (((col & 1) + 2 * (row & 1)) << 6)
        assert state.regs[R_KIND_APM_CTX + 1] == state.regs[image.R_PRED + image.OLS]
    for pixels, at_most in ((doubled, 0.95), (gray, 0.997)):
        data = np.ascontiguousarray(pixels).tobytes()
        revised, earlier = (ContextMixingCompressor(f"image:{pixels.shape[1]}", None, None,
                                                    ImageModel(pixels.shape[1], revision=r)) for r in (5, 4))
        blob = revised.compress(data)
        assert len(blob) < at_most * len(earlier.compress(data))
        assert revised.decompress(blob) == data


def test_the_blend_weighs_each_predictor_by_its_errors_around_the_pixel():
    """Where one sub-predictor was exact at W, N, NW and NE and the others erred, the blend is its
    prediction (weights 1 / (1 + error)³); with no errors known yet, their rounded mean."""
    width = 4
    history = np.array([10, 20, 30, 40, 50, 60, 70, 80], np.uint8)  # two rows; pixel 5 (row 1, col 1)
    regs = np.zeros(image.R_ERRORS + 2 * width * image.PREDICTIONS, np.int64)
    regs[image.R_WIDTH], regs[R_REVISION] = width, 1  # revision 1: nine sub-predictors, no least squares
    pred = np.zeros(image.PREDICTORS, np.int64)
    image_predictions.predictions(history, 5, width, pred)
    image._blend(regs, history, 5)
    expected_mean = (int(pred[:9].sum()) + 4) // 9
    assert regs[image.R_PRED + image.PREDICTORS - 1] == expected_mean
    errors = regs[image.R_ERRORS :].reshape(2, width, image.PREDICTIONS)
    errors[:] = 50
    errors[:, :, 3] = 0  # the predictor N, exact everywhere
    errors[:, :, image.PREDICTORS - 1] = 0  # and the blend too: the blend is chosen over the median
    assert image._blend(regs, history, 5) == pred[3] == history[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_least_squares_fit_learns_a_linear_rule_over_the_neighbours(seed):
    """Revision 2's predictor: fed pixels that follow a fixed linear rule over the 20 neighbours, its
    weights become that rule (the ridge's pull is small against hundreds of rows)."""
    rng = rng_for(seed)
    rule = rng.dirichlet(np.ones(image.OLS_ORDER))  # weights summing to 1, as a pixel predictor's do
    state = np.zeros(lsq.state_size(image.OLS_ORDER))
    for _ in range(600):
        ys = rng.integers(0, 256, image.OLS_ORDER).astype(np.float64)
        lsq.fit(state, ys, float(rule @ ys), True, image.OLS_ORDER, image.OLS_FORGET, image.OLS_RIDGE)
    assert np.abs(state[-image.OLS_ORDER :] - rule).max() < 1e-3


def test_sampling_sees_the_relative_maps_the_coder_counts(data_dir):
    """The maps count each bit before the next prediction (maps.py), and byte_weights' predictions of every
    partial pixel count nothing: so the predictor's pixel distributions (byte_weights, then learning the
    pixel) cost what the coder's probabilities cost, within rounding. A bit counted twice, or left out
    before sampling, makes them differ by far more."""
    from gencomp.coding import exact
    from gencomp.compressors.cm import IMAGE_HEADROOM_BITS, table_bits
    from gencomp.models.context_mixing.predictor import ContextMixingPredictor

    gray = read_grayscale(data_dir / "image" / "coins.png")[100:120, 100:164]
    data = gray.tobytes()
    codec = get_compressor("image")
    assert codec.model.relative_maps == 23

    class SizedAsTheCoder(ContextMixingPredictor):
        PREDICTOR_SLOT_BITS, PREDICTOR_MATCH_BITS = table_bits(len(data), IMAGE_HEADROOM_BITS)

    symbols = np.frombuffer(data, np.uint8).astype(np.int64)[None]
    log_probs = exact.log_probs(SizedAsTheCoder(None, codec.model).weights(symbols))[0, np.arange(len(data)), symbols[0]]
    coded_bits = float(codec.chunk_code_length_bits([data])[0])
    assert abs(-log_probs.sum() / np.log(2) - coded_bits) < 0.001 * len(data), (-log_probs.sum() / np.log(2), coded_bits)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_local_fit_follows_a_rule_that_changed_where_the_image_wide_fit_lags(seed):
    """Revision 4's local fits forget fast (LOCAL_FORGET): 40 pixels after the neighbours' rule changes, the
    fastest one predicts by the new rule, while the image-wide fit (OLS_FORGET) still mixes in the old."""
    rng = rng_for(seed)
    fast = int(np.argmin(image.LOCAL_FORGET))
    order = int(image.LOCAL_ORDER[fast])
    old_rule, new_rule = rng.dirichlet(np.ones(order)), rng.dirichlet(np.ones(order))
    local, wide = np.zeros(lsq.state_size(order)), np.zeros(lsq.state_size(order))
    for rule, pixels in ((old_rule, 400), (new_rule, 40)):
        for _ in range(pixels):
            ys = rng.integers(0, 256, order).astype(np.float64)
            lsq.fit(local, ys, float(rule @ ys), True, order, image.LOCAL_FORGET[fast], image.OLS_RIDGE)
            lsq.fit(wide, ys, float(rule @ ys), True, order, image.OLS_FORGET, image.OLS_RIDGE)
    assert np.abs(local[-order:] - new_rule).max() < 1e-3
    assert np.abs(wide[-order:] - new_rule).max() > 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_the_extrapolations_that_are_planar_predict_a_plane_exactly(seed):
    """Revision 4's extrapolations along the column and row, the carried-down gradients and the two-pixel slopes
    are exact on any plane a·column + b·row + c; the means are not (they predict a nearby point)."""
    rng = rng_for(seed)
    width, height = 12, 8
    a, b = rng.integers(-6, 7, 2)
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    history = (a * cols + b * rows + 128).astype(np.uint8).ravel()
    pos = 5 * width + 6  # row 5, column 6: every neighbour inside
    out = np.zeros(image_predictions.EXTRAPOLATIONS, np.int64)
    image_predictions.extrapolations(history, pos, width, out)
    planar = [0, 1, 2, 3, 5, 6, 7, 8, 11]
    assert out[planar].tolist() == [int(history[pos])] * len(planar), (a, b, out)
