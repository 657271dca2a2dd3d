"""gencomp: predictors as compressors, compressors as predictors."""

__version__ = "0.13.0"  # first: modules imported below read it

from gencomp.compressors import COMPRESSORS, Compressor, decompress, get_compressor
from gencomp.errors import GencompError
from gencomp.models.predictor import Predictor

__all__ = ["COMPRESSORS", "Compressor", "GencompError", "Predictor", "decompress", "get_compressor"]
