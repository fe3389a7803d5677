-- Secrets the server generates once and keeps across restarts (the key that signs resume
-- tokens), shared by every node on the same database.
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      blob NOT NULL,
    created_at integer NOT NULL
);
