-- Files of trainers' capsules (tldraw's image assets), uploaded once and referenced by URL
-- (`/api/assets/{id}`) rather than inlined in documents. A trainer's upload of the same bytes
-- again gives the same asset.
CREATE TABLE assets (
    id           uuid PRIMARY KEY,
    created_at   bigint NOT NULL,
    owner_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type text NOT NULL,
    bytes        bigint NOT NULL,
    sha256       text NOT NULL,
    data         bytea NOT NULL
);
CREATE UNIQUE INDEX assets_owner_sha256 ON assets (owner_id, sha256);
