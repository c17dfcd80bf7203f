-- CreateEnum
CREATE TYPE "RoomStage" AS ENUM ('first_contact', 'formal_negotiation', 'evaluation', 'intent', 'signed', 'closed');

-- AlterTable
ALTER TABLE "NegotiationRoom" ADD COLUMN "stage" "RoomStage" NOT NULL DEFAULT 'first_contact',
ADD COLUMN "lastSeq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "lastHash" TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
ADD COLUMN "lastEntryAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RoomEntry" (
    "id" UUID NOT NULL,
    "roomId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "authorId" UUID,
    "body" TEXT NOT NULL,
    "replyToSeq" INTEGER,
    "data" JSONB NOT NULL,
    "clientKey" TEXT,
    "requestHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "RoomEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoomReadState" (
    "roomId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "lastReadSeq" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoomReadState_pkey" PRIMARY KEY ("roomId","userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "RoomEntry_roomId_seq_key" ON "RoomEntry"("roomId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "RoomEntry_roomId_authorId_clientKey_key" ON "RoomEntry"("roomId", "authorId", "clientKey");

-- AddForeignKey
ALTER TABLE "RoomEntry" ADD CONSTRAINT "RoomEntry_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomReadState" ADD CONSTRAINT "RoomReadState_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A room's record is append-only: refuse any change to or removal of a recorded entry.
CREATE FUNCTION "room_entry_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'RoomEntry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "RoomEntry_append_only"
  BEFORE UPDATE OR DELETE ON "RoomEntry"
  FOR EACH ROW EXECUTE FUNCTION "room_entry_append_only"();
