"""Network probes: DNS, TCP, CONNECT, TLS, registry HTTP (every step bounded)."""
