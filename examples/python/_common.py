"""Shared settings of the recipes: where the server is, and the token for writing.

    export SYNDB_URL=http://localhost:3030        # the server (default)
    export SYNDB_TOKEN=$(npx syndb token create --name me --role contributor)   # only to write
"""
import os

SYNDB_URL = os.environ.get("SYNDB_URL", "http://localhost:3030").rstrip("/")
SYNDB_TOKEN = os.environ.get("SYNDB_TOKEN")


def auth_headers():
    """The Authorization header for writes (reading public datasets needs no token)."""
    return {"Authorization": f"Bearer {SYNDB_TOKEN}"} if SYNDB_TOKEN else {}


def raise_for_problem(response):
    """Errors come as application/problem+json: show the title, the detail and every listed problem."""
    if response.ok:
        return
    try:
        problem = response.json()
    except ValueError:
        response.raise_for_status()
    lines = [f"{response.status_code} {problem.get('title')}: {problem.get('detail')}"]
    for e in problem.get("errors", []):
        lines.append("  " + ", ".join(f"{k}={v}" for k, v in e.items() if v is not None))
    raise SystemExit("\n".join(lines))
