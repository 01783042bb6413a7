"""The integration lab: real servers on loopback (127.0.0.0/8 only), started per test session.

- ``Registry``: the CNCF distribution registry (Debian ``docker-registry``) with TLS from a
  per-run CA (trustme), optionally htpasswd or token auth.
- ``Squid``: a forward proxy that allows, denies CONNECT (403) or wants credentials (407).
- ``Dnsmasq``: a real DNS server answering lab names and NXDOMAIN.
- ``FakeDNS``: a tiny DNS responder for SERVFAIL and for never answering.
- ``blackhole``/``silent`` ports: TCP that times out, TCP that accepts and never speaks.
Nothing here sends a packet anywhere but 127.0.0.1.
"""
