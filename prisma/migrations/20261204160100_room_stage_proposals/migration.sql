-- A stage that binds both sides (达成意向, 签约), proposed by one side and waiting for the other's confirmation.
ALTER TABLE "NegotiationRoom"
  ADD COLUMN "stageProposal" "RoomStage",
  ADD COLUMN "stageProposalSide" "ListingSide",
  ADD COLUMN "stageProposalSeq" INTEGER,
  ADD COLUMN "stageProposedAt" TIMESTAMP(3);
