-- CreateEnum
CREATE TYPE "MatchStatus" AS ENUM ('open', 'confirmed', 'declined', 'retracted');

-- CreateEnum
CREATE TYPE "MatchResponse" AS ENUM ('pending', 'interested', 'declined');

-- CreateEnum
CREATE TYPE "MatchSource" AS ENUM ('auto', 'staff', 'interest');

-- CreateEnum
CREATE TYPE "MatchTrend" AS ENUM ('new', 'up', 'down', 'same');

-- AlterTable
ALTER TABLE "Listing" ADD COLUMN "matchedRevision" INTEGER;

-- CreateTable
CREATE TABLE "Match" (
    "id" UUID NOT NULL,
    "supplyListingId" UUID NOT NULL,
    "demandListingId" UUID NOT NULL,
    "supplyOrganizationId" UUID NOT NULL,
    "demandOrganizationId" UUID NOT NULL,
    "status" "MatchStatus" NOT NULL DEFAULT 'open',
    "source" "MatchSource" NOT NULL DEFAULT 'auto',
    "score" DOUBLE PRECISION NOT NULL,
    "previousScore" DOUBLE PRECISION,
    "trend" "MatchTrend" NOT NULL DEFAULT 'new',
    "breakdown" JSONB NOT NULL,
    "reasons" JSONB NOT NULL,
    "supplyRevision" INTEGER NOT NULL,
    "demandRevision" INTEGER NOT NULL,
    "supplyResponse" "MatchResponse" NOT NULL DEFAULT 'pending',
    "demandResponse" "MatchResponse" NOT NULL DEFAULT 'pending',
    "supplyRespondedAt" TIMESTAMP(3),
    "demandRespondedAt" TIMESTAMP(3),
    "note" TEXT,
    "recommendedById" UUID,
    "retractReason" TEXT,
    "scoredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "confirmedAt" TIMESTAMP(3),

    CONSTRAINT "Match_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NegotiationRoom" (
    "id" UUID NOT NULL,
    "matchId" UUID,
    "supplyOrganizationId" UUID NOT NULL,
    "demandOrganizationId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "openedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NegotiationRoom_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Match_supplyListingId_demandListingId_key" ON "Match"("supplyListingId", "demandListingId");

-- CreateIndex
CREATE INDEX "Match_demandListingId_idx" ON "Match"("demandListingId");

-- CreateIndex
CREATE INDEX "Match_supplyOrganizationId_status_score_idx" ON "Match"("supplyOrganizationId", "status", "score");

-- CreateIndex
CREATE INDEX "Match_demandOrganizationId_status_score_idx" ON "Match"("demandOrganizationId", "status", "score");

-- CreateIndex
CREATE INDEX "Match_createdAt_idx" ON "Match"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NegotiationRoom_matchId_key" ON "NegotiationRoom"("matchId");

-- CreateIndex
CREATE INDEX "NegotiationRoom_supplyOrganizationId_idx" ON "NegotiationRoom"("supplyOrganizationId");

-- CreateIndex
CREATE INDEX "NegotiationRoom_demandOrganizationId_idx" ON "NegotiationRoom"("demandOrganizationId");

-- AddForeignKey
ALTER TABLE "Match" ADD CONSTRAINT "Match_supplyListingId_fkey" FOREIGN KEY ("supplyListingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Match" ADD CONSTRAINT "Match_demandListingId_fkey" FOREIGN KEY ("demandListingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NegotiationRoom" ADD CONSTRAINT "NegotiationRoom_matchId_fkey" FOREIGN KEY ("matchId") REFERENCES "Match"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Match" ADD CONSTRAINT "Match_recommendedById_fkey" FOREIGN KEY ("recommendedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
