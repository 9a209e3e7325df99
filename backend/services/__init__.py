"""What the API does, once: each operation is a function of (connection, principal, request) that the single
route and the sync push both call. Services raise `Problem` for anything the caller must fix."""
