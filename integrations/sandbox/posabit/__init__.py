"""POSaBIT POS simulator: venue API V3 (Basic integrator:venue) and legacy V1/V2 (Bearer)."""
