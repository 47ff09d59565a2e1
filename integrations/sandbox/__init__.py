"""Local simulators ("sandboxes") of the Cova, POSaBIT and Clover APIs.

Like Stripe's test mode: real paths, shapes, status codes and auth, data generated
deterministically from the credentials presented, faults switched on by ``fault=<name>``
inside a credential value. See ``options`` for the credential options, ``server`` to run
them on a real socket.
"""
