-- The size of each capsule's document as stored (bytes of its JSON text), so that a trainer's
-- storage quota (`--max-capsule-storage-bytes`) is a sum over one column, never a read of
-- every document.
ALTER TABLE capsules ADD COLUMN snapshot_bytes integer NOT NULL DEFAULT 0;
UPDATE capsules SET snapshot_bytes = length(CAST(snapshot AS blob));
