"""Tests of the dataintegrity library: W3C vectors, Multikey, Bitstring Status List, and the JS verifier."""
