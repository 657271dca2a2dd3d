"""gencomp: predictors as compressors, compressors as predictors."""

from gencomp.compressors import COMPRESSORS, Compressor, decompress, get_compressor
from gencomp.errors import GencompError
from gencomp.models.predictor import Predictor

__all__ = ["COMPRESSORS", "Compressor", "GencompError", "Predictor", "decompress", "get_compressor"]
__version__ = "0.4.0"
