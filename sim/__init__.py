"""cogov: agent-based simulator of neighbourhood co-governance."""
