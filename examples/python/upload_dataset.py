#!/usr/bin/env python3
"""Create a dataset, upload a compartment table, and publish version 1, with requests.

    export SYNDB_TOKEN=...          # a contributor token (npx syndb token create --name me)
    python3 upload_dataset.py                                   # the example below
    python3 upload_dataset.py my-spines synapse my-synapses.csv

Everything is validated before it is stored: an invalid description or table is refused whole
(422, every problem listed) and nothing is written.
"""
import os
import sys

import requests

from _common import SYNDB_URL, SYNDB_TOKEN, auth_headers, raise_for_problem

if not SYNDB_TOKEN:
    raise SystemExit("set SYNDB_TOKEN to a contributor token (npx syndb token create --name me)")

here = os.path.dirname(os.path.abspath(__file__))
dataset_id = sys.argv[1] if len(sys.argv) > 1 else "python-recipe-spines"
compartment = sys.argv[2] if len(sys.argv) > 2 else "synapse"
csv_file = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "syndb-style", "synapse.csv")

# 1. the description (the simple Dataset JSON; controlled values by label, CURIE or IRI)
description = {
    "id": dataset_id,
    "title": "Synapses of L2/3 pyramidal neurons in mouse V1",
    "description": "Synapses segmented from a FIB-SEM volume, uploaded with the Python recipe.",
    "creators": [{"name": "Doe, Jane", "orcid": "0000-0002-1825-0097"}],
    "license": "CC-BY-4.0",
    "species": "mouse",
    "brainRegion": "V1",
    "microscopyMethod": "FIB-SEM",
    "compartments": [compartment],
    "keywords": ["synapses", "python"],
}
# check it first without storing anything (dry run), then create the draft
check = requests.post(f"{SYNDB_URL}/datasets", params={"dryRun": "true"}, json=description, headers=auth_headers(), timeout=60)
raise_for_problem(check)
created = requests.post(f"{SYNDB_URL}/datasets", json=description, headers=auth_headers(), timeout=60)
raise_for_problem(created)
print(f"created {created.json()['id']} (draft): {created.headers['Location']}")

# 2. the table, streamed from the file (requests sends an open file without reading it whole)
with open(csv_file, "rb") as f:
    uploaded = requests.put(f"{SYNDB_URL}/datasets/{dataset_id}/tables/{compartment}", data=f,
                            headers={"Content-Type": "text/csv", **auth_headers()}, timeout=3600)
raise_for_problem(uploaded)
table = uploaded.json()
print(f"table {compartment}: {table['rows']} rows, sha256 {table['sha256']}")

# 3. publish the draft as version 1 (immutable, citable)
published = requests.post(f"{SYNDB_URL}/datasets/{dataset_id}/versions", json={"notes": "first release"},
                          headers=auth_headers(), timeout=300)
raise_for_problem(published)
print(f"published version {published.json()['version']}: {published.json()['iri']}")

# the citation, by content negotiation
bibtex = requests.get(f"{SYNDB_URL}/datasets/{dataset_id}", headers={"Accept": "application/x-bibtex"}, timeout=60)
print(bibtex.text.strip())
