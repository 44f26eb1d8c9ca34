"""nvidia_smi._rows: nvidia-smi's CSV split at commas when nothing is quoted, exactly as the csv module splits it."""

from __future__ import annotations

import csv
import io

import pytest

from hatch_torch.detection.vendors.nvidia_smi import _rows

OUTPUTS = [
    "0, GPU-1, NVIDIA GeForce RTX 4090, 8.9, 580.65.06\n",
    "0, a,b\n\n1,  c, d",
    "",
    "\n\n",
    " x , y\n",
    "   \n",
    ",,\n",
    "a,\tb\n",
    '0, "a, b", c\n',  # quoted: the csv module
    "a,b\r\nc,d\r\n",  # carriage returns: the csv module
]


@pytest.mark.parametrize("out", OUTPUTS)
def test_rows_match_the_csv_module(out: str) -> None:
    assert _rows(out) == [row for row in csv.reader(io.StringIO(out), skipinitialspace=True) if row]
