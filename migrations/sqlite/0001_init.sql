-- Times are integer milliseconds since the Unix epoch (sorted and aggregated the same way on both
-- databases); ids are UUIDv7.

CREATE TABLE users (
    id            blob PRIMARY KEY,
    created_at    integer NOT NULL,
    email         text NOT NULL UNIQUE,
    name          text NOT NULL,
    password_hash text NOT NULL
);

-- Log-in tokens: only a SHA-256 of the token is kept, so a database leak yields no usable token.
CREATE TABLE auth_tokens (
    token_hash blob PRIMARY KEY,
    user_id    blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at integer NOT NULL,
    expires_at integer NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE capsules (
    id         blob PRIMARY KEY,
    created_at integer NOT NULL,
    updated_at integer NOT NULL,
    owner_id   blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text NOT NULL,
    snapshot   text NOT NULL,
    -- The pages read from the snapshot at write time, so listings need not parse snapshots.
    pages      text NOT NULL
);
CREATE INDEX capsules_owner ON capsules (owner_id, created_at);

CREATE TABLE quizzes (
    id         blob PRIMARY KEY,
    created_at integer NOT NULL,
    updated_at integer NOT NULL,
    owner_id   blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    capsule_id blob REFERENCES capsules (id) ON DELETE SET NULL,
    title      text NOT NULL,
    settings   text NOT NULL,
    questions  text NOT NULL
);
CREATE INDEX quizzes_owner ON quizzes (owner_id, created_at);

-- A live room: the state of a session at instant t. capsule_id and quiz_id carry no foreign key:
-- the room runs on its own copies, whatever happens to the capsule or quiz meanwhile.
CREATE TABLE rooms (
    id               blob PRIMARY KEY,
    created_at       integer NOT NULL,
    created_by       blob NOT NULL REFERENCES users (id),
    name             text NOT NULL UNIQUE,
    capsule_id       blob NOT NULL,
    capsule_title    text NOT NULL,
    capsule_snapshot text NOT NULL,
    quiz_id          blob,
    quiz_scores      text NOT NULL,
    params           text NOT NULL,
    state            text NOT NULL,
    updated_at       integer NOT NULL
);
CREATE INDEX rooms_created_by ON rooms (created_by);

CREATE TABLE chats (
    id         blob PRIMARY KEY,
    created_at integer NOT NULL,
    room_id    blob NOT NULL REFERENCES rooms (id) ON DELETE CASCADE
);
CREATE INDEX chats_room ON chats (room_id);

CREATE TABLE chat_messages (
    id             blob PRIMARY KEY,
    created_at     integer NOT NULL,
    chat_id        blob NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    participant_id blob NOT NULL,
    author_name    text NOT NULL,
    text           text NOT NULL
);
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, created_at);

-- Append-only history. No foreign key to rooms: rooms are deleted, their events stay.
CREATE TABLE room_events (
    id         blob PRIMARY KEY,
    created_at integer NOT NULL,
    room_id    blob NOT NULL,
    user_id    blob NOT NULL,
    type       text NOT NULL,
    data       text NOT NULL
);
CREATE INDEX room_events_room ON room_events (room_id, created_at);
CREATE INDEX room_events_user ON room_events (user_id, created_at);
