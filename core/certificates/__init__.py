"""Certificate rules every issuer shares: validity caps and CSR checks."""
