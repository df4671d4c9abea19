#!/usr/bin/env python3
"""Find datasets by brain region and species, as a pandas DataFrame.

    python3 search_datasets.py                 # mouse datasets in the isocortex
    python3 search_datasets.py V1 mouse        # any region / species label, CURIE or IRI

The search is ontology-aware: a region includes its sub-regions (isocortex -> V1, VISp, ...),
and labels, synonyms, CURIEs (UBERON:0001950, NCBITaxon:10090) and IRIs all work.
"""
import sys

import pandas as pd
import requests

from _common import SYNDB_URL, auth_headers, raise_for_problem

region = sys.argv[1] if len(sys.argv) > 1 else "isocortex"
species = sys.argv[2] if len(sys.argv) > 2 else "mouse"

# GET /datasets with facets as query parameters (repeat a parameter for OR; "!v" excludes)
response = requests.get(
    f"{SYNDB_URL}/datasets",
    params={"region": region, "species": species, "pageSize": 100},
    headers={"Accept": "application/json", **auth_headers()},
    timeout=60,
)
raise_for_problem(response)
result = response.json()

# one row per dataset; controlled terms come with IRI, CURIE and label: keep the labels
datasets = pd.DataFrame(
    {
        "id": d["id"],
        "title": d["title"],
        "version": d["version"],
        "species": "; ".join(t["label"] for t in d["species"]),
        "region": "; ".join(t["label"] for t in d["brainRegion"]),
        "method": "; ".join(t["label"] for t in d["microscopyMethod"]),
        "compartments": ", ".join(d["compartments"]),
        "iri": d["iri"],
    }
    for d in result["datasets"]
)

print(f"{result['total']} datasets for region={region!r}, species={species!r}")
# what the server understood the filters to mean (e.g. which atlas terms a region expands to)
for r in result["resolved"]:
    print(f"  {r['facet']} {r['input']!r} -> {r['label']} ({r['value']})")
print(datasets[["id", "version", "region", "method"]].to_string(index=False))
