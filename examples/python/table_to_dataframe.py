#!/usr/bin/env python3
"""Load a compartment table of a dataset into a pandas DataFrame.

    python3 table_to_dataframe.py                                  # the example synapse table
    python3 table_to_dataframe.py l4dense-motta2019 synapse

CSV is read with pandas alone. Every table is also a Parquet file (typed columns, smaller); that
needs pyarrow, which Debian does not package as python3-pyarrow: with `pip install pyarrow` this
script reads the Parquet file too, otherwise it says so and uses the CSV.
"""
import io
import sys

import pandas as pd
import requests

from _common import SYNDB_URL, auth_headers, raise_for_problem

dataset = sys.argv[1] if len(sys.argv) > 1 else "syndb-style-example"
table = sys.argv[2] if len(sys.argv) > 2 else "synapse"
url = f"{SYNDB_URL}/datasets/{dataset}/tables/{table}"

# CSV: the file as it was uploaded (add ?version=N for an older version)
response = requests.get(url, headers={"Accept": "text/csv", **auth_headers()}, timeout=300)
raise_for_problem(response)
df = pd.read_csv(io.BytesIO(response.content))
print(f"{dataset}/{table}: {len(df)} rows x {len(df.columns)} columns (CSV)")
print(df.head().to_string(index=False))

# the server can filter and project before sending: rows with voxel_volume >= 1e6, three columns
response = requests.get(url, params={"voxel_volume.gte": 1_000_000, "columns": "cid,pre_id,voxel_volume"},
                        headers={"Accept": "text/csv", **auth_headers()}, timeout=300)
raise_for_problem(response)
large = pd.read_csv(io.BytesIO(response.content))
print(f"voxel_volume >= 1e6: {len(large)} rows")

try:
    import pyarrow  # noqa: F401
except ImportError:
    print("Parquet: skipped, pyarrow is not installed (pip install pyarrow); CSV only")
else:
    response = requests.get(url, headers={"Accept": "application/vnd.apache.parquet", **auth_headers()}, timeout=300)
    raise_for_problem(response)
    typed = pd.read_parquet(io.BytesIO(response.content))
    print(f"Parquet: {len(typed)} rows; column types: {dict(typed.dtypes.astype(str))}")
