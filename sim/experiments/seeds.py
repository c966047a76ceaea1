"""Identities and seeds: every id is a hash of what it names, every seed a function of its key.

- A point's id hashes its parameter values; a run's id hashes the resolved scenario (canonical
  JSON of ``model_dump``), the seed and the package version.
- A run's seed comes from ``SeedSequence(root, spawn_key=(key, replication))``, where `key`
  is a 64-bit hash of the point's values, so adding points or replications, or reordering a
  design, never changes the seed of an existing run. Under common random numbers the key
  hashes only the uncertain values, so every policy meets the same seeds.
"""

import hashlib
import json
from typing import Any

import numpy as np

SEED_BITS = 63
ID_LENGTH = 16  # hex characters: 64 bits


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value: Any, length: int = ID_LENGTH) -> str:
    """A hex SHA-256 prefix of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value).encode("ascii")).hexdigest()[:length]


def values_id(values: dict[str, Any]) -> str:
    """Id of a set of parameter values (a point, a policy or a sample of uncertainties)."""
    return digest(values)


def run_id(scenario: dict[str, Any], seed: int, version: str) -> str:
    """Id of a run: the resolved scenario, its seed and the package version."""
    return digest({"scenario": scenario, "seed": seed, "version": version})


def run_seed(root: int, key: str, replication: int) -> int:
    """The seed of replication `replication` at the point whose seed key is `key` (hex)."""
    sequence = np.random.SeedSequence(root, spawn_key=(int(key, 16), replication))
    high, low = (int(word) for word in sequence.generate_state(2, np.uint32))
    return ((high << 32) | low) & ((1 << SEED_BITS) - 1)
