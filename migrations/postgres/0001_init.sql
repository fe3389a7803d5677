-- Times are integer milliseconds since the Unix epoch (sorted and aggregated the same way on both
-- databases); ids are UUIDv7.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    created_at    bigint NOT NULL,
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    password_hash text NOT NULL
);

-- Log-in tokens: only a SHA-256 of the token is kept, so a database leak yields no usable token.
CREATE TABLE auth_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE capsules (
    id         uuid PRIMARY KEY,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    owner_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text NOT NULL,
    snapshot   jsonb NOT NULL,
    -- The pages read from the snapshot at write time, so listings need not parse snapshots.
    pages      jsonb NOT NULL
);
CREATE INDEX capsules_owner ON capsules (owner_id, created_at);

CREATE TABLE quizzes (
    id         uuid PRIMARY KEY,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    owner_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    capsule_id uuid REFERENCES capsules (id) ON DELETE SET NULL,
    title      text NOT NULL,
    settings   jsonb NOT NULL,
    questions  jsonb NOT NULL
);
CREATE INDEX quizzes_owner ON quizzes (owner_id, created_at);

-- A live room: the state of a session at instant t. capsule_id and quiz_id carry no foreign key:
-- the room runs on its own copies, whatever happens to the capsule or quiz meanwhile.
CREATE TABLE rooms (
    id               uuid PRIMARY KEY,
    created_at       bigint NOT NULL,
    created_by       uuid NOT NULL REFERENCES users (id),
    name             text NOT NULL UNIQUE,
    capsule_id       uuid NOT NULL,
    capsule_title    text NOT NULL,
    capsule_snapshot jsonb NOT NULL,
    quiz_id          uuid,
    quiz_scores      jsonb NOT NULL,
    params           jsonb NOT NULL,
    state            jsonb NOT NULL,
    updated_at       bigint NOT NULL
);
CREATE INDEX rooms_created_by ON rooms (created_by);

CREATE TABLE chats (
    id         uuid PRIMARY KEY,
    created_at bigint NOT NULL,
    room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE
);
CREATE INDEX chats_room ON chats (room_id);

CREATE TABLE chat_messages (
    id             uuid PRIMARY KEY,
    created_at     bigint NOT NULL,
    chat_id        uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    participant_id uuid NOT NULL,
    author_name    text NOT NULL,
    text           text NOT NULL
);
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, created_at);

-- Append-only history. No foreign key to rooms: rooms are deleted, their events stay.
CREATE TABLE room_events (
    id         uuid PRIMARY KEY,
    created_at bigint NOT NULL,
    room_id    uuid NOT NULL,
    user_id    uuid NOT NULL,
    type       text NOT NULL,
    data       jsonb NOT NULL
);
CREATE INDEX room_events_room ON room_events (room_id, created_at);
CREATE INDEX room_events_user ON room_events (user_id, created_at);
