-- Banned words a message or file name matched: staff's annotation beside the entry, outside its hash.
ALTER TABLE "RoomEntry" ADD COLUMN "flagged" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
-- From here on a room entry's hash covers its body, reply and data by their hash (roomEvidenceContent),
-- so a party's export can withhold what staff hid and still verify. Room records written before this
-- migration (development databases only) no longer verify: reset them.
