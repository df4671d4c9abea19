#!/usr/bin/env python3
"""Run a SPARQL query and get a pandas DataFrame: with SPARQLWrapper, and with plain requests.

    python3 sparql_to_dataframe.py

The default graph holds the latest published version of every dataset you may read, the
ontology and provenance (older versions are named graphs).
"""
import io

import pandas as pd
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from _common import SYNDB_URL, SYNDB_TOKEN

QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX syndb:   <https://w3id.org/syndb/ontology#>
SELECT ?dataset ?title ?species WHERE {
  ?dataset a syndb:DatasetVersion ;
           dcterms:title ?title ;
           syndb:species ?species .
}
ORDER BY ?title
"""

# 1. SPARQLWrapper: results as SPARQL JSON, one column per variable
sparql = SPARQLWrapper(f"{SYNDB_URL}/sparql")
sparql.setQuery(QUERY)
sparql.setReturnFormat(JSON)
if SYNDB_TOKEN:  # only needed to see private datasets
    sparql.addCustomHttpHeader("Authorization", f"Bearer {SYNDB_TOKEN}")
bindings = sparql.queryAndConvert()["results"]["bindings"]
with_wrapper = pd.DataFrame([{k: v["value"] for k, v in b.items()} for b in bindings])
print(f"SPARQLWrapper: {len(with_wrapper)} rows")
print(with_wrapper.to_string(index=False))

# 2. plain requests: ask for CSV and let pandas read it
response = requests.post(
    f"{SYNDB_URL}/sparql",
    data={"query": QUERY},
    headers={"Accept": "text/csv", **({"Authorization": f"Bearer {SYNDB_TOKEN}"} if SYNDB_TOKEN else {})},
    timeout=60,
)
response.raise_for_status()
with_requests = pd.read_csv(io.StringIO(response.text))
print(f"requests + CSV: {len(with_requests)} rows")

# both ways give the same table
assert with_wrapper.equals(with_requests.astype(str)), "the two results differ"
print("the same rows both ways")
