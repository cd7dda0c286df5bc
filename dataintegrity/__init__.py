"""W3C Data Integrity (eddsa-rdfc-2022) and Bitstring Status List, with JSON-LD contexts from local files only."""
