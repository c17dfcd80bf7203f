-- Reasons shown to the parties for a freeze and a mute.
ALTER TABLE "NegotiationRoom" ADD COLUMN "frozenReason" TEXT;
ALTER TABLE "RoomMute" ADD COLUMN "reason" TEXT NOT NULL DEFAULT '';

-- Brokers invited by either side and staff who joined visibly.
CREATE TYPE "RoomParticipantRole" AS ENUM ('broker', 'staff');

CREATE TABLE "RoomParticipant" (
    "roomId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "RoomParticipantRole" NOT NULL,
    "side" "ListingSide",
    "invitedById" UUID NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RoomParticipant_pkey" PRIMARY KEY ("roomId", "userId")
);
CREATE INDEX "RoomParticipant_userId_idx" ON "RoomParticipant"("userId");
ALTER TABLE "RoomParticipant" ADD CONSTRAINT "RoomParticipant_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Files attached to rooms.
CREATE TABLE "RoomFile" (
    "id" UUID NOT NULL,
    "roomId" UUID NOT NULL,
    "uploaderId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "seq" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RoomFile_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RoomFile_roomId_idx" ON "RoomFile"("roomId");
ALTER TABLE "RoomFile" ADD CONSTRAINT "RoomFile_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
