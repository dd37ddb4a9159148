"""The operator's side of the service: the load balancer's probes (``/healthz`` alive,
``/readyz`` ready to serve) and the Prometheus metrics under ``/ops/``, which only the
operator's networks (and token) reach. An interface like the others: no models, reads through
the domain apps' selectors."""
