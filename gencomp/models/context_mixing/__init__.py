"""A context-mixing bit predictor in the lpaq / paq8 tradition: it learns from the file it codes.

Each byte is coded as 8 binary decisions, most significant bit first. For every bit the core
(core.py) mixes the stretched probabilities of its inputs with three online logistic mixers and a
second layer, then refines them with two APM/SSE stages. The inputs come from sub-models, each in
its own module, composed per data kind in kinds.py:

* orders.py — bytes (text and anything else): orders 2, 3, 4, 6, words, columns, a sparse context;
* image.py — 8-bit grayscale pixels: neighbourhood contexts and a Laplace around a blend of predictions
  (image_predictions.py), least-squares fits, relative maps on the predictions (maps.py);
* audio.py — PCM: linear prediction (least_squares.py) and a Laplace around the predicted sample (revision 1:
  a mixture of Laplaces around six predictions, audio_mixture.py);
* match.py — every kind: the byte after the longest recent match;
* an external model (optional): another predictor's byte distribution (the transformer in `mix:NAME`).

Each context selects an adaptive probability (counters.py: a 22-bit counter with a 10-bit count
whose rate falls as 1/n). Everything is integer arithmetic (tables from gencomp.coding.exact), except
audio's least-squares stage, float64 in a fixed order without fused multiply-adds, which IEEE 754
makes the same on every machine: the decoder reproduces the encoder's probabilities everywhere.
The kernels are compiled with numba and called once per block (loops.py), or once per byte when an
external model must be consulted between bytes. A model is made with new_state(…, Bytes() |
Image(width) | Audio(channels)); predictor.py serves it for sampling.
"""

from gencomp.models.context_mixing.audio import Audio
from gencomp.models.context_mixing.core import INPUT_WEIGHT
from gencomp.models.context_mixing.counters import SQUASH, STRETCH
from gencomp.models.context_mixing.image import Image
from gencomp.models.context_mixing.loops import byte_weights, decode_bytes, encode_bytes, learn_bytes
from gencomp.models.context_mixing.orders import Bytes
from gencomp.models.context_mixing.state import Model, State, initial_weights, new_state

__all__ = ["Audio", "Bytes", "INPUT_WEIGHT", "Image", "Model", "SQUASH", "STRETCH", "State", "byte_weights",
           "decode_bytes", "encode_bytes", "initial_weights", "learn_bytes", "new_state"]
