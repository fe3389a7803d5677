-- `pratico admin`: what the command line hands to running servers, and how it knows one runs.

-- Each running server (node) says it is alive every few seconds; a command that finds no fresh
-- row knows that no server would carry out its request, and does the work itself.
CREATE TABLE server_heartbeats (
    node       text PRIMARY KEY,
    started_at bigint NOT NULL,
    seen_at    bigint NOT NULL
);

-- Requests of the command line that only a running server can carry out: ending a live room
-- (its actor is its one writer), closing the sockets of revoked log-ins (the server holds them).
-- Whoever sets `claimed_by` first (a server, or the command itself) carries it out; `outcome`
-- is a JSON object once done.
CREATE TABLE admin_requests (
    id         uuid PRIMARY KEY,
    created_at bigint NOT NULL,
    kind       text NOT NULL,
    -- What it is about: a room (`end_room`), a user (`revoke_logins`).
    target     uuid NOT NULL,
    data       jsonb NOT NULL,
    claimed_by text,
    claimed_at bigint,
    done_at    bigint,
    outcome    jsonb
);
CREATE INDEX admin_requests_waiting ON admin_requests (claimed_by, created_at);

-- One-time links to set a password (`pratico admin reset-password` / `create-trainer`): only a
-- SHA-256 of the token is kept.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
