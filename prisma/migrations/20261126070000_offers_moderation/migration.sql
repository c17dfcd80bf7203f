-- CreateEnum
CREATE TYPE "OfferStatus" AS ENUM ('open', 'countered', 'accepted', 'withdrawn');

-- CreateEnum
CREATE TYPE "BannedWordAction" AS ENUM ('flag', 'block');

-- AlterTable
ALTER TABLE "NegotiationRoom" ADD COLUMN "frozenAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RoomOffer" (
    "id" UUID NOT NULL,
    "roomId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "previousId" UUID,
    "side" "ListingSide" NOT NULL,
    "authorId" UUID NOT NULL,
    "terms" JSONB NOT NULL,
    "status" "OfferStatus" NOT NULL DEFAULT 'open',
    "acceptedBySupply" TIMESTAMP(3),
    "acceptedByDemand" TIMESTAMP(3),
    "seq" INTEGER NOT NULL,
    "clientKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomOffer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoomMute" (
    "roomId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoomMute_pkey" PRIMARY KEY ("roomId","userId")
);

-- CreateTable
CREATE TABLE "RoomEntryHide" (
    "roomId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "hiddenBy" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoomEntryHide_pkey" PRIMARY KEY ("roomId","seq")
);

-- CreateTable
CREATE TABLE "BannedWord" (
    "id" UUID NOT NULL,
    "word" TEXT NOT NULL,
    "action" "BannedWordAction" NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BannedWord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RoomOffer_previousId_key" ON "RoomOffer"("previousId");

-- CreateIndex
CREATE UNIQUE INDEX "RoomOffer_roomId_version_key" ON "RoomOffer"("roomId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "RoomOffer_roomId_authorId_clientKey_key" ON "RoomOffer"("roomId", "authorId", "clientKey");

-- CreateIndex
CREATE UNIQUE INDEX "BannedWord_word_key" ON "BannedWord"("word");

-- AddForeignKey
ALTER TABLE "RoomOffer" ADD CONSTRAINT "RoomOffer_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomOffer" ADD CONSTRAINT "RoomOffer_previousId_fkey" FOREIGN KEY ("previousId") REFERENCES "RoomOffer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomMute" ADD CONSTRAINT "RoomMute_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoomEntryHide" ADD CONSTRAINT "RoomEntryHide_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "NegotiationRoom"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
