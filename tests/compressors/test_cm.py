"""The context-mixing codecs: exact round trips on every kind of input, whole-stream and chunked;
learning in context; the predictor form agrees with what the coder codes; mix never does much
worse than cm alone."""

import math
from pathlib import Path

import numpy as np
import pytest

import gencomp
from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor, table_bits
from gencomp.data.modalities import load_modality
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for

SAMPLES = Path(__file__).resolve().parent / "samples"  # real files in no shared data (samples/README.md)


@pytest.fixture(scope="module")
def cm():
    return get_compressor("cm")


def test_round_trips_edge_cases(cm):
    for data in (b"", b"x", b"\0" * 100_000, b"ab" * 40_000, bytes(range(256)) * 64):
        blob = cm.compress(data)
        assert gencomp.decompress(blob) == data, data[:20]
    assert len(cm.compress(b"\0" * 100_000)) < 400  # a long run costs almost nothing


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trips_fresh_random_inputs_whole_and_chunked(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 30_000))
    mixed = wiki_heldout[start : start + 20_000] + rng.bytes(3000) + wiki_heldout[start : start + 7000]
    for chunk in (None, 2048):
        codec = get_compressor("cm", chunk)
        assert codec.decompress(codec.compress(mixed)) == mixed, f"seed {seed}, chunk {chunk}"


def test_round_trips_images_audio_and_stores_noise(cm, data_dir):
    image = load_modality("image", [data_dir / "image" / "camera.png"], 40_000)
    audio = load_modality("audio", [data_dir / "audio" / "librispeech-1272-128104-0000.flac"], 40_000)
    noise = np.random.default_rng(5).bytes(20_000)
    for data in (image, audio, noise):
        assert cm.decompress(cm.compress(data)) == data
    assert len(cm.encode_chunks([noise])[0]) == len(noise) + 1  # stored: the model would expand it
    assert "stored" in cm.notes[0]


def test_learns_in_context(cm):
    """A random block seen once costs 8 bits a byte; its repeat costs almost nothing (match model)."""
    block = np.random.default_rng(3).bytes(4000)
    once, twice = cm.code_length_bits(block + b"\n"), cm.code_length_bits(block + b"\n" + block)
    assert twice - once < 0.05 * 8 * len(block)


@pytest.fixture(scope="module", params=[1, 2, 3, 4, 5])
def byte_model_codec(request):
    """cm with the byte model's revision 1 (cm's in 0.15 to 0.18), 2 (mix's in 0.18 and 0.19), 3 (cm's),
    4 (mix's in 0.20) or 5 (mix's)."""
    from gencomp.models.context_mixing import Bytes

    return ContextMixingCompressor("cm", model=Bytes(revision=request.param))


def test_predictor_is_the_model_the_coder_codes(byte_model_codec, wiki_heldout):
    """Σ −log2 p of the predictor's byte distributions (product of the 8 bit probabilities) and the
    coder's ideal code length agree within rounding: sampling uses the model that compresses."""
    from gencomp.coding import exact
    from gencomp.models.context_mixing.predictor import ContextMixingPredictor

    codec = byte_model_codec
    text = wiki_heldout[:3000]

    class SizedAsTheCoder(ContextMixingPredictor):  # its tables as large as the coder's for this text
        PREDICTOR_SLOT_BITS, PREDICTOR_MATCH_BITS = table_bits(len(text))

    symbols = np.frombuffer(text, np.uint8).astype(np.int64)[None]
    coded_bits = float(codec.chunk_code_length_bits([text])[0])
    for predictor, within in ((SizedAsTheCoder(None, codec.model), 0.002), (codec.predictor, 0.02)):
        log_probs = exact.log_probs(predictor.weights(symbols))[0, np.arange(len(text)), symbols[0]]
        predictor_bits = -log_probs.sum() / np.log(2)
        assert abs(predictor_bits - coded_bits) < within * len(text)  # rounding; and fewer collisions
    assert coded_bits < 3.6 * len(text)


def test_predictor_full_pass_equals_steps_and_start_from(byte_model_codec, wiki_heldout):
    predictor = byte_model_codec.predictor
    symbols = np.frombuffer(wiki_heldout[:400], np.uint8).astype(np.int64)[None]
    full = predictor.weights(symbols)
    state = predictor.start(1)
    steps = [predictor.step(state, None)] + [predictor.step(state, symbols[:, t]) for t in range(399)]
    assert np.array_equal(np.stack(steps, 1), full)
    assert np.array_equal(predictor.start_from(symbols[:, :250])[1][0], full[0, 250])


def test_table_sizes_grow_with_the_stream_and_stop():
    assert table_bits(0) == (12, 10) and table_bits(100_000) == (20, 17) and table_bits(1 << 30) == (22, 22)


def test_mix_round_trips_and_costs_at_most_the_mixers_price_over_cm(wiki_heldout):
    text = wiki_heldout[:12_000]
    mix = get_compressor("mix:tiny")
    blob = mix.compress(text)
    assert gencomp.decompress(blob) == text
    assert len(blob) <= 1.005 * len(get_compressor("cm").compress(text))


def test_mix_attends_to_the_trained_window_up_to_256_bytes_and_reads_0_10_archives(wiki_heldout):
    text = wiki_heldout[:9000]  # three of the transformer's segments, and a short stream (new_model)
    mix = get_compressor("mix:tiny-v2")
    identity = mix.identity()
    assert "attention_window" not in identity["transformer"] and identity["segment"] == [4096, 256]
    assert identity["short_inputs_weight"] == 1 << 12 and "short_inputs_weight" not in get_compressor("cm").identity()
    assert get_compressor("mix:small-v3").identity()["transformer"]["attention_window"] == 256  # trained on 1024
    as_0_10 = ContextMixingCompressor("mix:tiny-v2", mix.transformer.with_window(32), prefix_bytes=128,
                                      short_inputs_weight=1 << 14)
    old = as_0_10.identity()
    assert old["transformer"]["attention_window"] == 32 and old["segment"] == [4096, 128]
    assert "short_inputs_weight" not in old
    old_blob = as_0_10.compress(text)
    assert gencomp.decompress(old_blob) == text  # by mix:tiny-v2 as it is now, through archive.legacy
    assert len(mix.compress(text)) < 0.99 * len(old_blob)


def test_corrupt_payload_is_an_error_not_wrong_output(cm, wiki_heldout):
    blob = bytearray(cm.compress(wiki_heldout[:5000]))
    blob[len(blob) // 2] ^= 0x40
    with pytest.raises(GencompError):
        gencomp.decompress(bytes(blob))


def test_a_context_table_in_huge_pages_is_zeroed_writable_memory():
    from gencomp.models.context_mixing import state

    for count in (1000, state.HUGE_PAGE_BYTES // 4 * 3):
        table = state._zeroed_in_huge_pages(count, np.uint32)
        assert table.shape == (count,) and table.dtype == np.uint32 and table.flags.writeable
        assert not table.any()
        table[-1] = 7
        assert table[-1] == 7


def test_a_frame_claiming_more_than_its_payload_holds_is_refused_by_its_checksum(wiki_heldout):
    """A crafted frame (its header's checksums right) claiming 300 KB from a few hundred payload bytes is decoded,
    as any decompressor decodes a bomb, and refused by the CRC32 of its original bytes. Its size cannot be refused
    up front: the coder trims the zero bytes that end its output, which a run of likely bits makes (below)."""
    import dataclasses
    import io

    from gencomp.archive.layout import EndRecord, StreamReader, pack_end, pack_frame, pack_stream_header

    blob = get_compressor("cm").compress(wiki_heldout[:3000])
    reader = StreamReader(io.BytesIO(blob))
    header = reader.header()
    frame, end = reader.next(header), reader.next(header)
    assert isinstance(end, EndRecord)
    crafted = (pack_stream_header(header) + pack_frame(dataclasses.replace(frame, original_bytes=300_000))
               + pack_end(end))
    with pytest.raises(GencompError, match="corrupt"):
        gencomp.decompress(crafted)


@pytest.mark.parametrize("spec, size", [("cm", 200_000), ("image:300", 90_000), ("mix", 20_000)])
def test_a_run_the_coder_ends_in_nothing_decodes(spec, size):
    """0xFF bytes (an opaque image's alpha plane) code to zero bytes, which the coder trims: an empty payload
    for every byte of them (gencomp 0.13 to 0.22 refused such archives as claiming more than their payload holds)."""
    codec = get_compressor(spec, size if spec.startswith("image") else None)
    data = b"\xff" * size
    payload = codec.encode_chunks([data])[0]
    assert len(payload) < 8
    assert codec.decode_chunks([payload], [size])[0] == data
    assert gencomp.decompress(codec.compress(data)) == data


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.975), ("corpus/code-python.txt", 0.99)])
def test_the_byte_models_revision_1_codes_structured_data_smaller_and_revision_0_archives_still_decode(source, at_most):
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (1, 0))
    assert revised.identity()["bytes_revision"] == 1 and "bytes_revision" not in earlier.identity()
    old_blob = earlier.compress(data)
    assert gencomp.decompress(old_blob) == data  # through archive.legacy: cm as gencomp 0.14 made it
    assert len(revised.compress(data)) < at_most * len(old_blob)  # measured: 0.964 and 0.984


def test_cm_codes_with_the_byte_models_revision_3_smaller_and_reads_revision_1_archives():
    """Revision 3 has the last 16 bytes where revision 1 has order 3: source code repeats long strings."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    source = "corpus/code-javascript.txt"
    data = text_corpus("heldout", (source,))[source][:150_000]
    cm, as_0_18 = get_compressor("cm"), ContextMixingCompressor("cm", model=Bytes(revision=1))
    assert cm.identity()["bytes_revision"] == 3 and as_0_18.identity()["bytes_revision"] == 1
    old_blob = as_0_18.compress(data)
    assert len(cm.compress(data)) < 0.995 * len(old_blob)  # measured: 0.991
    assert gencomp.decompress(old_blob) == data  # through archive.legacy: cm as gencomp 0.18 made it


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.97), ("corpus/code-python.txt", 0.98)])
def test_the_byte_models_revision_2_codes_smaller_than_revision_1(source, at_most):
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (2, 1))
    assert len(revised.compress(data)) < at_most * len(earlier.compress(data))  # measured: 0.964 and 0.972


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.98), ("corpus/code-python.txt", 0.985)])
def test_the_byte_models_revision_4_codes_smaller_than_revision_2(source, at_most):
    """Revision 4 is revision 2 with runs and three contexts more (orders.py)."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (4, 2))
    assert len(revised.compress(data)) < at_most * len(earlier.compress(data))  # measured: 0.966 and 0.975


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.985), ("corpus/code-python.txt", 0.99)])
def test_the_byte_models_revision_5_codes_smaller_than_revision_4(source, at_most):
    """Revision 5 is revision 4 with three character-group contexts (orders.py)."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (5, 4))
    assert len(revised.compress(data)) < at_most * len(earlier.compress(data))  # measured: 0.966 and 0.973


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.995), ("corpus/code-python.txt", 0.995)])
def test_the_byte_models_revision_6_codes_smaller_and_mix_reads_revisions_1_2_4_to_8(source, at_most):
    """Revision 6 is revision 5 in the settled core (core.py); mix archives of 0.15-0.17 (revision 1), 0.18-0.19
    (revision 2), 0.20 (revision 4), 0.21-0.25 (revision 5), 0.26 (revision 5, primed), 0.27-0.29 (revision 6,
    primed), 0.30 (revision 7, primed), 0.31 (revision 8, primed) and 0.32 (revision 9, primed) still decode."""
    from gencomp.compressors.priming import TEXT_PRIME
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (6, 5))
    assert len(revised.compress(data)) < at_most * len(earlier.compress(data))  # measured: 0.992 and 0.991
    mix = get_compressor("mix:tiny")
    assert mix.identity()["bytes_revision"] == 10
    text = data[:5000]
    for revision, prime in ((1, None), (2, None), (4, None), (5, None), (5, TEXT_PRIME), (6, TEXT_PRIME),
                            (7, TEXT_PRIME), (8, TEXT_PRIME), (9, TEXT_PRIME)):  # through archive.legacy
        as_before = ContextMixingCompressor("mix:tiny", mix.transformer, model=Bytes(revision=revision), prime=prime)
        assert gencomp.decompress(as_before.compress(text)) == text


def test_the_byte_models_revision_7_chooses_its_second_layer_by_the_bit_position_in_short_streams(data_dir):
    """Revision 7 (mix in 0.30) is revision 6 but in a stream of at most SHORT_STREAM_BYTES, where the second
    layer's weights are chosen by the bit position, not the partial byte: a 2048-byte patch of a photograph and
    2048 bytes of speech code smaller, a longer stream to the same payload as revision 6's."""
    from gencomp.compressors.cm import SHORT_STREAM_BYTES
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    today = get_compressor("mix:tiny")
    mix = ContextMixingCompressor(today.name, today.transformer, model=Bytes(revision=7), prime=today.prime)
    as_0_29 = ContextMixingCompressor(mix.name, mix.transformer, model=Bytes(revision=6), prime=mix.prime)
    image = load_modality("image", [data_dir / "image" / "camera.png"], 1 << 20)[100_000:102_048]
    audio = load_modality("audio", [data_dir / "audio" / "librispeech-1272-128104-0000.flac"], 1 << 20)[60_000:62_048]
    for patch, at_most in ((image, 0.99), (audio, 0.97)):  # measured: 0.980 and 0.954
        short, before = mix.encode_chunks([patch])[0], as_0_29.encode_chunks([patch])[0]
        assert len(short) < at_most * len(before)
        assert mix.decode_chunks([short], [len(patch)])[0] == patch
    source = "corpus/data-json-xml-csv.txt"
    longer = text_corpus("heldout", (source,))[source][: SHORT_STREAM_BYTES + 1]
    assert mix.encode_chunks([longer]) == as_0_29.encode_chunks([longer])


def test_the_byte_models_revision_8_expects_what_followed_the_latest_token_with_the_same_prefix():
    """The token model (token.py): after `install libperl5.36:amd64` and `status half-installed lib`, 'p', where
    the match model still follows the earlier `status half-installed libgdbm6`; past a token it was right about
    to the end, on from there (the version); nothing at a token's start after a miss; revision 7 has no tokens."""
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.layout import R_POS, R_TBYTE
    from gencomp.models.context_mixing.orders import learn

    def expected_after(text: bytes, revision: int = 8) -> int:
        history = np.frombuffer(text, np.uint8).copy()
        regs = new_state(12, 10, history, Bytes(revision=revision)).regs
        for pos, byte in enumerate(history):
            learn(regs, history, pos, np.int64(byte))
            regs[R_POS] = pos + 1  # as core.end_byte moves it
        return int(regs[R_TBYTE]) - 1

    lines = b"status half-installed libgdbm6:amd64 1.23\ninstall libperl5.36:amd64 5.36\n"
    assert expected_after(lines + b"status half-installed lib") == ord("p")
    assert expected_after(lines + b"status half-installed libperl5.36:amd64 ") == ord("5")
    assert expected_after(lines + b"status half-installed libperl5.36:amd65 ") == -1
    assert expected_after(lines + b"status half-installed lib", revision=7) == -1


def test_the_byte_models_revision_8_counts_runs_of_hex_digits_that_mix_digits_and_letters():
    """hex_runs.learn: the run's length, and whether it held a digit and a letter a-f (the input runs only then);
    any other byte ends it, upper-case letters included."""
    from gencomp.models.context_mixing import hex_runs
    from gencomp.models.context_mixing.layout import R_HEX

    def after(text: bytes) -> tuple[int, bool]:
        regs = np.zeros(R_HEX + 1, np.int64)
        for byte in text:
            hex_runs.learn(regs, byte)
        return int(regs[R_HEX] & 255), bool(regs[R_HEX] & hex_runs.MIXED == hex_runs.MIXED)

    assert after(b'"content": "5a15f179') == (8, True)
    assert after(b"version 2025") == (4, False)
    assert after(b"the cafe") == (4, False)
    assert after(b"5a15F179") == (3, False)
    assert after(b"0" * 300 + b"a") == (255, True)


@pytest.mark.parametrize("source, at_most", [("dpkg.log", 0.975), ("sbom.json", 0.995),
                                             ("corpus/code-python.txt", 0.9995)])
def test_the_byte_models_revision_8_codes_smaller_than_revision_7(source, at_most):
    """40 KB of a dpkg log (tests/compressors/samples), where names recur from the line above in another field; of a
    JSON bill of materials with SHA-256 values; 60 KB of Python. Measured: 0.9656, 0.9926, 0.9989."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    if source.startswith("corpus/"):
        data = text_corpus("heldout", (source,))[source][:60_000]
    else:
        data = (SAMPLES / source).read_bytes()
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (8, 7))
    blob = revised.compress(data)
    assert len(blob) < at_most * len(earlier.compress(data))
    assert revised.decompress(blob) == data


@pytest.mark.parametrize("spec, size", [("cm", 20_000), ("mix:tiny", 5_000)])
def test_byte_code_lengths_split_the_streams_code_length_by_byte(spec, size):
    """ContextMixingCompressor.byte_code_lengths: one length a byte, in bits, summing to chunk_code_length_bits' (the
    same probabilities); a byte repeated at the end of a run costs less than the run's first byte."""
    from gencomp.data.corpus import text_corpus

    source = "corpus/code-python.txt"
    data = text_corpus("heldout", (source,))[source][:size] + b"z" * 64
    codec = get_compressor(spec)
    lengths = codec.byte_code_lengths(data)
    assert lengths.shape == (len(data),) and lengths.dtype == np.float64 and (lengths > 0).all()
    assert lengths.sum() == pytest.approx(codec.chunk_code_length_bits([data])[0], rel=1e-9)
    assert lengths[-1] < lengths[-64]


def test_the_byte_models_revision_9_comes_within_2_to_the_minus_16_of_certainty():
    """Revision 8's final probability stops 32/65536 from 0 and 1, so a certain byte costs at least 8 · 0.0007 bits;
    revision 9's may come within 1/65536. A line repeated 1000 more times after 1000 times: revision 8 codes the
    repeats at that floor, revision 9 in under a third of it (measured: 58 bits where the floor is 383)."""
    from gencomp.models.context_mixing import Bytes

    line = b"2025-06-24 14:36:25 status installed libc-bin:amd64 2.36-9+deb12u10\n"
    floor_bits = 1000 * len(line) * 8 * -math.log2(1 - 32 / 65536)
    repeats = {}
    for revision in (9, 8):
        cm = ContextMixingCompressor("cm", model=Bytes(revision=revision))
        once, twice = cm.chunk_code_length_bits([line * 1000, line * 2000])
        repeats[revision] = twice - once
    assert repeats[8] > 0.999 * floor_bits > 3 * repeats[9]
    fine = ContextMixingCompressor("cm", model=Bytes(revision=9))
    assert fine.decompress(fine.compress(line * 2000)) == line * 2000


def test_the_byte_models_revision_9_has_a_context_of_the_current_word_in_its_block_of_1_kib():
    """Context 23 of revision 9: the current word (orders.learn's R_W0) with the 1 KiB block it falls in, so the
    same word's prefix shares counters within a block and not across blocks; revision 8 has 23 contexts."""
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.layout import R_C4, R_CTX, R_POS
    from gencomp.models.context_mixing.orders import BLOCK_BYTES, contexts, learn

    assert (Bytes(revision=9).contexts, Bytes(revision=8).contexts) == (24, 23)
    text = b"x" * 1030 + b' "name": "daachorse", "purl": "pkg:cargo/daa'
    history = np.frombuffer(text + b"x" * 2000 + b" daa.", np.uint8).copy()
    regs = new_state(12, 10, history, Bytes(revision=9)).regs
    seen = {}
    for pos, byte in enumerate(history):
        contexts(regs, history, pos)
        seen[pos] = int(regs[R_CTX + 23])
        learn(regs, history, pos, np.int64(byte))
        regs[R_POS], regs[R_C4] = pos + 1, ((regs[R_C4] << 8) | byte) & 0xFFFFFFFF
    after_daa = [pos + 1 for pos in range(2, len(history) - 1) if history[pos - 2 : pos + 1].tobytes() == b"daa"]
    assert [pos // BLOCK_BYTES for pos in after_daa] == [1, 1, 3]
    first, second, other_block = (seen[pos] for pos in after_daa)
    assert first == second != other_block


@pytest.mark.parametrize("source, at_most", [("dpkg.log", 0.998), ("sbom.json", 0.998),
                                             ("corpus/code-python.txt", 0.998)])
def test_the_byte_models_revision_9_codes_smaller_than_revision_8(source, at_most):
    """The finer final probability and the block context (orders.py) on the samples of
    test_the_byte_models_revision_8_codes_smaller_than_revision_7. Measured: 0.9964, 0.9963, 0.9962."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = (text_corpus("heldout", (source,))[source][:60_000] if source.startswith("corpus/")
            else (SAMPLES / source).read_bytes())
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (9, 8))
    blob = revised.compress(data)
    assert len(blob) < at_most * len(earlier.compress(data))
    assert revised.decompress(blob) == data


def test_the_byte_models_revision_10_counts_each_weight_sets_updates_and_slows_it_down():
    """Revision 10's first-layer weight sets each learn at a rate that falls with their updates (layout.R_DECAY),
    counted after the second layer's weights: every mixer of mix's model learns from every bit (no skip), so the
    counts sum to mixers × 8 × the bytes learned, and a weight set chosen thousands of times has reached the floor.
    Revision 9 keeps no counts."""
    from gencomp.models import context_mixing as cmx
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.core import M_FINAL
    from gencomp.models.context_mixing.layout import N_MIXERS, R_DECAY, R_DECAY_LOW, R_DECAY_SHIFT, R_MIXERS

    rng = np.random.default_rng()
    text = bytes(rng.choice(list(b"abc de\n"), 8000).astype(np.uint8))
    history = np.frombuffer(text, np.uint8).copy()
    state = new_state(14, 12, history, Bytes(revision=10))
    assert tuple(state.regs[[R_DECAY, R_DECAY_LOW, R_DECAY_SHIFT]]) == Bytes(revision=10).mixer_decay == (16, 6, 9)
    assert state.regs[R_MIXERS] == N_MIXERS
    cmx.learn_bytes(*state.arrays, history, cmx.SQUASH, cmx.STRETCH, np.zeros((0, 256), np.int64), 0, len(text))
    uses = state.mixer[-M_FINAL:]
    assert uses.sum() == N_MIXERS * 8 * len(text)
    assert uses.max() >> 9 >= 16 - 6  # mixer B's or F's busiest set learns at the floor by now
    earlier = new_state(14, 12, history, Bytes(revision=9))
    assert earlier.mixer.shape[0] == state.mixer.shape[0] - M_FINAL and earlier.regs[R_DECAY] == 0


@pytest.mark.parametrize("source, at_most", [("dpkg.log", 0.996), ("sbom.json", 0.996),
                                             ("corpus/code-python.txt", 0.998)])
def test_the_byte_models_revision_10_codes_smaller_than_revision_9(source, at_most):
    """Decaying mixers (core.update) on the samples of test_the_byte_models_revision_9_codes_smaller_than_revision_8.
    Measured: 0.9934, 0.9939, 0.9961."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = (text_corpus("heldout", (source,))[source][:60_000] if source.startswith("corpus/")
            else (SAMPLES / source).read_bytes())
    revised, earlier = (ContextMixingCompressor("cm", model=Bytes(revision=r)) for r in (10, 9))
    blob = revised.compress(data)
    assert len(blob) < at_most * len(earlier.compress(data))
    assert revised.decompress(blob) == data


@pytest.mark.parametrize("source, at_most", [("corpus/data-json-xml-csv.txt", 0.992),
                                             ("corpus/code-python.txt", 0.995)])
def test_cm_codes_smaller_in_the_settled_core_and_reads_its_earlier_revisions(source, at_most):
    """cm (0.28 on) is revision 3 in the settled core; cm archives of 0.5-0.14 (revision 0), 0.15-0.18 (revision 1)
    and 0.19-0.27 (revision 3, unsettled) still decode."""
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    data = text_corpus("heldout", (source,))[source][:60_000]
    cm = get_compressor("cm")
    assert cm.identity()["settled"] is True
    unsettled = ContextMixingCompressor("cm", model=Bytes(revision=3))
    assert len(cm.compress(data)) < at_most * len(unsettled.compress(data))  # measured: 0.985 and 0.989
    text = data[:5000]
    for revision in (0, 1, 3):  # through archive.legacy
        as_before = ContextMixingCompressor("cm", model=Bytes(revision=revision))
        assert gencomp.decompress(as_before.compress(text)) == text


def test_cm_mixers_skip_small_errors_at_the_same_size_and_0_28_archives_still_decode():
    """cm (0.29 on) lets a first-layer mixer learn only from an error of CM_MIXER_SKIP/4096 or more: other archives
    than 0.28's cm (every mixer learning from every bit), their payloads as small within 0.2 % (measured: 1.0004 and
    1.0005; the identity's key costs 11 bytes an archive), and 0.28's archives decode through archive.legacy."""
    from gencomp.compressors.cm import CM_MIXER_SKIP
    from gencomp.data.corpus import text_corpus
    from gencomp.models.context_mixing import Bytes

    cm = get_compressor("cm")
    assert cm.identity()["mixer_skip"] == CM_MIXER_SKIP == 64
    as_0_28 = ContextMixingCompressor("cm", model=Bytes(revision=3, settle=True))
    identity_bytes = len(cm.compress(b"")) - len(as_0_28.compress(b""))
    for source in ("corpus/data-json-xml-csv.txt", "corpus/code-python.txt"):
        data = text_corpus("heldout", (source,))[source][:40_000]
        skipping, learning = cm.compress(data), as_0_28.compress(data)
        assert skipping != learning
        assert 0.998 < (len(skipping) - identity_bytes) / len(learning) < 1.002
        assert gencomp.decompress(learning) == data and gencomp.decompress(skipping) == data


def test_a_surprise_makes_a_settled_counter_forget():
    """count_surprised: a bit that had p < 1/4 first lowers the count to SURPRISED_COUNT (then the count
    grows by one), so the counter moves at rate 1 / 5.5; `count` keeps its count; a bit that had p ≥ 1/4
    changes nothing."""
    from gencomp.models.context_mixing.counters import COUNTER_INIT, SURPRISED_COUNT, count, count_surprised

    settled, plain = np.array([COUNTER_INIT], np.uint32), np.array([COUNTER_INIT], np.uint32)
    for _ in range(40):
        count_surprised(settled, 0, 1, 127)
        count(plain, 0, 1, 127)
    assert settled[0] == plain[0] and plain[0] & 1023 == 40  # no surprise on the way
    young = np.array([(int(settled[0]) >> 10 << 10) | SURPRISED_COUNT], np.uint32)  # the same p, seen 4 times
    count(young, 0, 0, 127)
    count_surprised(settled, 0, 0, 127)
    count(plain, 0, 0, 127)
    assert settled[0] == young[0] and settled[0] & 1023 == SURPRISED_COUNT + 1
    assert plain[0] & 1023 == 41 and plain[0] >> 10 > settled[0] >> 10  # a smaller step towards 0
    even = np.array([COUNTER_INIT | 50], np.uint32)  # p = 1/2, seen 50 times
    count_surprised(even, 0, 0, 127)
    assert even[0] & 1023 == 51


def test_revision_2_knows_where_each_field_of_this_line_and_the_last_began():
    """A field begins after the first separator of a run (measured: 0.06 % smaller than after the run);
    the line's starts become the previous line's at a newline."""
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.layout import R_POS
    from gencomp.models.context_mixing.orders import FIELDS, R_STARTS, learn

    history = np.frombuffer(b"2025-06-24 status  unpacked x:amd64\nab,cd|e", np.uint8).copy()
    regs = new_state(12, 10, history, Bytes(revision=2)).regs
    for pos, byte in enumerate(history):
        learn(regs, history, pos, np.int64(byte))
        regs[R_POS] = pos + 1  # as core.end_byte moves it
    assert list(regs[R_STARTS + FIELDS : R_STARTS + FIELDS + 4]) == [0, 11, 18, 28]
    assert list(regs[R_STARTS : R_STARTS + 3]) == [36, 39, 42]


def test_revision_4_hashes_each_field_of_this_line_and_the_last():
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.counters import hash2
    from gencomp.models.context_mixing.layout import R_POS
    from gencomp.models.context_mixing.orders import FIELDS, R_FIELD_HASH, R_FIELD_HASHES, learn

    def field_hash(text: bytes) -> int:
        h = 0
        for byte in text:
            h = hash2(h + 1, byte)
        return h

    history = np.frombuffer(b"status  un-packed x:amd64\ncd|e", np.uint8).copy()
    regs = new_state(12, 10, history, Bytes(revision=4)).regs
    for pos, byte in enumerate(history):
        learn(regs, history, pos, np.int64(byte))
        regs[R_POS] = pos + 1
    above = [field_hash(f) for f in (b"status", b" un-packed", b"x:amd64")]  # a run's second separator is the field's
    assert list(regs[R_FIELD_HASHES + FIELDS : R_FIELD_HASHES + FIELDS + 4]) == above + [0]
    assert list(regs[R_FIELD_HASHES : R_FIELD_HASHES + 2]) == [field_hash(b"cd"), 0]
    assert regs[R_FIELD_HASH] == field_hash(b"e")


def test_revision_4_runs_count_what_each_context_saw_last():
    """The order-2 context (hashed context 0) after "xy": 'x' 15 times in a row (the longest run kept), then
    'z' once."""
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.counters import SQUASH, STRETCH
    from gencomp.models.context_mixing.layout import R_RUN, RUN_MAX
    from gencomp.models.context_mixing.loops import learn_bytes

    history = np.frombuffer(b"xy" * 40 + b"zxy", np.uint8).copy()
    state = new_state(14, 10, history, Bytes(revision=4))
    no_ext = np.zeros((0, 256), np.int64)
    learn_bytes(*state.arrays, history, SQUASH, STRETCH, no_ext, 0, 80)
    assert state.regs[R_RUN] == ord("x") | RUN_MAX << 8
    learn_bytes(*state.arrays, history, SQUASH, STRETCH, no_ext, 80, 83)
    assert state.regs[R_RUN] == ord("z") | 1 << 8
    assert new_state(14, 10, history, Bytes(revision=2)).regs[R_RUN] == 0  # no runs before revision 4


def test_revision_5_collapses_runs_of_digits_and_of_letters_into_one_group():
    """"Ab12 x-Y" is A a 0 (space) a - A, latest first in the first register; bytes ≥ 128 are one group
    but do not collapse; the oldest groups fall off the third register."""
    from gencomp.models.context_mixing import Bytes, new_state
    from gencomp.models.context_mixing.layout import R_POS
    from gencomp.models.context_mixing.orders import R_GROUPS, learn

    def groups_after(text: bytes) -> list[int]:
        history = np.frombuffer(text, np.uint8).copy()
        regs = new_state(12, 10, history, Bytes(revision=5)).regs
        for pos, byte in enumerate(history):
            learn(regs, history, pos, np.int64(byte))
            regs[R_POS] = pos + 1
        return [int(regs[R_GROUPS + i]) for i in range(3)]

    assert groups_after(b"Ab12 x-Y") == [int.from_bytes(b" a-A", "big"), int.from_bytes(b"Aa0", "big"), 0]
    assert groups_after("ÿé\t".encode()) == [int.from_bytes(bytes([128, 128, 128, 9]), "big"), 128, 0]
    assert groups_after(b"a-" * 7) == [int.from_bytes(b"a-a-", "big")] * 3


def test_the_nesting_context_follows_brackets_and_strings():
    from gencomp.models.context_mixing.orders import _nest

    states = []
    nest = 0
    for byte in b'{"a": [1, {"b": "x,}"}], "c": 2}':
        nest = _nest(nest, byte)
        states.append((nest >> 9, (nest >> 8) & 1, chr(nest & 255) if nest & 255 else ""))
    depths = "".join(str(d) for d, _, _ in states)
    assert depths == "11111122223333333333321111111110"  # the "}" inside a string moves nothing
    assert [q for _, q, _ in states].count(1) == 10  # "a", "b", "x,}" and "c" with their opening quotes
    assert states[-1] == (0, 0, "}") and states[4] == (1, 0, ":")


@pytest.mark.parametrize("seed", SEEDS)
def test_mix_decodes_the_same_bytes_speculating_on_a_second_thread_or_not(monkeypatch, seed, data_dir):
    """With two threads, mix decodes each byte while the other thread takes the transformer's next step ahead
    on the byte it found likeliest (mix_stepping.decode_speculating), and steps again where it guessed wrong:
    text (mostly right), fresh random bytes (mostly wrong) and a file of both, over several segments, decode
    to the input with one thread or two."""
    import gencomp.compressors.cm as cm_module
    from gencomp.compressors import mix_stepping

    rng = rng_for(seed)
    text = (data_dir / "text" / "tinyshakespeare.txt").read_bytes()[: int(rng.integers(5000, 9000))]
    noise = rng.integers(0, 256, int(rng.integers(2, 3000)), dtype=np.uint8).tobytes()
    mix = get_compressor("mix:tiny")
    used = []
    monkeypatch.setattr(mix_stepping, "decode_speculating", _counting(mix_stepping.decode_speculating, used))
    for data in (text, noise, noise[:700] + text[:5000] + noise):
        blob = mix.compress(data)
        for cores in (2, 1):
            monkeypatch.setattr(cm_module, "threads", lambda cores=cores: cores)
            assert gencomp.decompress(blob) == data, (cores, len(data))
    assert len(used) >= 4  # every segment of at least 2 bytes, with two threads


def _counting(kernel, calls: list):
    def counted(*args):
        calls.append(args[4:6])
        return kernel(*args)

    return counted


def test_a_failure_of_the_speculating_thread_is_raised_not_a_hang(monkeypatch, wiki_heldout):
    import gencomp.compressors.cm as cm_module
    from gencomp.compressors import mix_stepping

    def broken(*args):
        raise MemoryError("the speculating thread failed")

    blob = get_compressor("mix:tiny").compress(wiki_heldout[:3000])
    monkeypatch.setattr(cm_module, "threads", lambda: 2)
    monkeypatch.setattr(mix_stepping, "speculate", broken)
    with pytest.raises(MemoryError, match="speculating thread failed"):
        gencomp.decompress(blob)
