"""The password hasher: Django's Argon2 hasher with OWASP's parameters.

Django's defaults (100 MiB, 8 lanes) cost about a second per sign-in on a two-core machine
and let a burst of sign-ins exhaust memory; OWASP's Password Storage Cheat Sheet gives
Argon2id with 19 MiB, 2 iterations and 1 lane as the minimum that still resists GPU
guessing. The algorithm name stays "argon2", and the parameters are stored in every hash, so
hashes made with other parameters still verify and are upgraded at the next sign-in
(Django's `must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB (memory_cost in KiB), t = 2, p = 1 (OWASP, 2023)."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
