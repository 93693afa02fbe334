"""End users: the tenant's database connection ("Username-Password-Authentication"), their
passwords and their sign-in sessions. Separate from the console's staff accounts
(django.contrib.auth): an end user never reaches the console or the admin, and a staff login
is not an end-user session. Depends on `keys` only; `applications` builds the OAuth flows on
top of it."""
