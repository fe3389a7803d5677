-- Files of trainers' capsules (tldraw's image assets), uploaded once and referenced by URL
-- (`/api/assets/{id}`) rather than inlined in documents. A trainer's upload of the same bytes
-- again gives the same asset.
CREATE TABLE assets (
    id           blob PRIMARY KEY,
    created_at   integer NOT NULL,
    owner_id     blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type text NOT NULL,
    bytes        integer NOT NULL,
    sha256       text NOT NULL,
    data         blob NOT NULL
);
CREATE UNIQUE INDEX assets_owner_sha256 ON assets (owner_id, sha256);
