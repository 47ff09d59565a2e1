"""POSaBIT: V3 Basic auth (integrator + venue tokens) at app.posabit.com."""
