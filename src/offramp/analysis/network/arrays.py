"""The numpy array types the network engine passes around."""

from __future__ import annotations

import os
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

IntArray: TypeAlias = npt.NDArray[np.int64]
CodeArray: TypeAlias = npt.NDArray[np.int8]
FloatArray: TypeAlias = npt.NDArray[np.float64]
DateArray: TypeAlias = npt.NDArray[np.datetime64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
StrPath: TypeAlias = str | os.PathLike[str]
